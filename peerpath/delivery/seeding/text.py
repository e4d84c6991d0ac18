"""Words the delivery seed writes: venue names, reasons, topics. Written for PeerPath; nothing from real records."""

from __future__ import annotations

# Venues ---------------------------------------------------------------------------------------

# "{area}" becomes the borough or town. Each organisation takes them in a shuffled order.
VENUE_NAMES = (
    "{area} Library: community room",
    "{area} Civic Centre, Room 3",
    "{area} Wellbeing Hub",
    "St Anne's Church Hall, {area}",
    "{area} Community Centre: garden room",
    "{area} Resource Centre, training room",
    "The Old Fire Station, {area}",
    "{area} Adult Learning Centre, Room 12",
)
STREETS = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Park Road",
    "Victoria Road",
    "London Road",
    "Mill Lane",
    "The Broadway",
    "Kingsway",
    "Market Place",
)
STEP_FREE_NOTES = (
    "Step-free entrance from the car park. Accessible toilet on the ground floor. Hearing loop in the room.",
    "Level access from the street and a lift to every floor. Quiet room next door if you need a break.",
    "Step-free throughout. Two accessible parking bays at the front; ask at reception for the hearing loop.",
    "",
)
NOT_STEP_FREE_NOTES = (
    "Three steps up to the main entrance and no ramp. The room is on the first floor and there is no lift.",
    "Steep steps down to the hall. Tell us before the course if you need another room and we will move it.",
    "The room is up one flight of stairs. Accessible toilet on the ground floor only.",
)
ONLINE_ROOMS = (("Online room 1 (Microsoft Teams)", "teams"), ("Online room 2 (Zoom)", "zoom"))
ONLINE_NOTES = (
    "Live captions are on. You can join by phone instead of video; the number is in the joining email.",
    "Cameras optional. A tutor stays on for ten minutes afterwards for anyone who wants to talk.",
)

# Runs and enrolments --------------------------------------------------------------------------

TOO_FEW = "Too few people had enrolled a few days before the start, so the run did not go ahead"
CANCELLATION_REASONS = (
    "The peer trainer is unwell and no accredited cover was available",
    "The venue is closed for repairs on these dates",
    "Merged with another run of the same course so that both groups were big enough",
    "Rail strikes on the session dates: moved to next term",
    "The professional tutor left the trust and the post is not yet filled",
)
RUN_CANCELLED = "The run was cancelled"
WITHDRAWAL_REASONS = (
    "Caring responsibilities changed",
    "The person I care for was admitted to hospital",
    "Starting a new job on those days",
    "Unwell at the moment",
    "Moving out of the area",
    "Booked on another run of the course that suits better",
    "",
    "",
)
LEFT_PART_WAY = (
    "Could not keep coming: caring commitments",
    "Found the course was not what they needed right now",
    "The person they care for became unwell",
    "",
)
# The reasons the enrolment service itself writes.
OFFER_LAPSED = "The offer was not accepted in time"
STARTED_BEFORE_OFFER = "The course started before the offer was accepted"
STARTED_BEFORE_PLACE = "The course started before a place came free"

# Support groups -------------------------------------------------------------------------------

# (name, pattern: nth weekday (0 Monday), start "HH:MM", minutes, anonymous, online)
GROUPS = (
    ("{area} carers' support group", 2, 1, "18:00", 120, False, False),
    ("Rethink carers' group: {area}", 1, 3, "19:00", 90, True, False),
    ("Evening online carers' circle", -1, 2, "19:00", 90, False, True),
    ("Dads and male carers' group", 1, 5, "10:30", 90, False, False),
    ("Parents' group: supporting a young person with psychosis", 3, 3, "10:30", 120, True, False),
)
ORDINALS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", -1: "Last"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MEETING_TOPICS = (
    "Getting through the holidays",
    "Carers' assessments: what to ask for",
    "Looking after your own sleep",
    "Talking to the care coordinator",
    "When the person you care for refuses help",
    "Benefits and money worries",
    "Guest speaker from the home treatment team",
    "Setting boundaries without guilt",
    "Planning for a crisis",
    "Hospital discharge and what happens next",
    "Medication side effects: sharing experiences",
    "Siblings and the wider family",
    "Confidentiality and being kept informed",
    "Mindfulness taster",
    "Peer sharing and check-in",
    "Respite and short breaks",
)
