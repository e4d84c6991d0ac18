"""The demo course catalogue, written for PeerPath.

Each :class:`Template` is one course as a Recovery College or a carers'
organisation would describe it in its prospectus: what it is for, what people
take away and what happens in each session. The ``small`` scale seeds the
templates marked ``small`` as they are; larger scales add :mod:`variants` of
them (for parents, online in the evening, in another language, in a borough).
Nothing here is copied from a real prospectus.
"""

from __future__ import annotations

from dataclasses import dataclass

from peerpath.courses.choices import Audience, Category

# Who usually owns a course: the college, the national charity's local group or a carers' centre.
COLLEGE = "college"
CHARITY = "charity"
CENTRE = "centre"

# Variant kinds (see variants.py); a template lists those that make sense for it.
AUDIENCES = ("parents", "partners", "siblings", "young", "older", "male")
LANGUAGE = "language"
ONLINE = "online"
ONE_DAY = "day"
PLACE = "place"
STAFF = "staff"


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    short: str  # the title's core, for variants: "Understanding psychosis"
    category: str
    audience: str
    minutes: int
    modes: tuple[str, ...]  # of "in_person", "online", "blended"
    summary: str
    outcomes: tuple[str, ...]
    sessions: tuple[tuple[str, str], ...]  # (title, description), one per session
    owner: str = COLLEGE
    variants: tuple[str, ...] = ()
    small: bool = True  # part of the 25-course demo catalogue

    @property
    def session_count(self) -> int:
        return len(self.sessions)


def _sessions(*lines: str) -> tuple[tuple[str, str], ...]:
    """'Title | what happens' per session."""
    pairs = []
    for line in lines:
        title, description = line.split(" | ", 1)
        pairs.append((title.strip(), description.strip()))
    return tuple(pairs)


def _outcomes(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.strip().splitlines() if line.strip())


RC = Category.RECOVERY_COLLEGE
SM = Category.SELF_MANAGEMENT
SG = Category.SUPPORT_GROUP
TT = Category.TRAIN_THE_TRAINER
FAMILY_VARIANTS = (*AUDIENCES, LANGUAGE, ONLINE, ONE_DAY)

TEMPLATES: tuple[Template, ...] = (
    # Recovery College courses -------------------------------------------------------------
    Template(
        key="psychosis",
        title="Understanding psychosis: a course for families and friends",
        short="Understanding psychosis",
        category=RC,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "When someone close to you experiences psychosis it can be frightening and confusing. This course, "
            "written and taught by carers alongside a mental health professional, explains what psychosis is, "
            "what helps recovery and how you can support someone without losing sight of yourself."
        ),
        outcomes=_outcomes("""
            Describe in everyday words what psychosis is and how it can affect someone
            Recognise early warning signs and know who to contact when you notice them
            Explain the main treatments and what the care team may offer
            Use two ways of talking with someone about unusual experiences without arguing
            Name at least one source of support for yourself
        """),
        sessions=_sessions(
            "What is psychosis? | Carers share how it first showed up in their family; the stress-vulnerability "
            "model explained with everyday examples.",
            "Treatment, medication and the care team | What early intervention teams do, questions to ask about "
            "medication, and how to be involved in care planning.",
            "Talking and listening | Practising calm conversations about voices and unusual beliefs; what to say "
            "when you do not know what to say.",
            "Hope, recovery and looking after yourself | Stories of recovery, relapse signatures and a simple plan "
            "for your own support.",
        ),
        variants=FAMILY_VARIANTS,
    ),
    Template(
        key="friendly-wards",
        title="Friendly Wards: supporting someone in hospital",
        short="Friendly Wards",
        category=RC,
        audience=Audience.CARERS,
        minutes=120,
        modes=("online",),
        summary=(
            "For family and friends of someone on a mental health ward. We walk through what happens on an "
            "inpatient ward, who is who, your rights as a carer and how to stay connected during visits and "
            "leave, with carers who have been there."
        ),
        outcomes=_outcomes("""
            Explain how an admission works, including the Mental Health Act sections you are most likely to meet
            Identify the ward staff to speak to and how to ask for a carers' meeting
            Plan visits and phone calls that work for you and the person in hospital
            Prepare for discharge planning and know what to ask for
        """),
        sessions=_sessions(
            "Life on the ward | Who works on a ward, a day's routine, visiting and what to bring; carers describe "
            "their first visit.",
            "Being heard and planning for home | Carers' rights, information sharing, ward rounds and preparing "
            "for discharge together.",
        ),
        variants=(*AUDIENCES, LANGUAGE, ONE_DAY, STAFF),
    ),
    Template(
        key="navigating-services",
        title="Navigating mental health services",
        short="Navigating mental health services",
        category=RC,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person", "online"),
        summary=(
            "GP, talking therapies, community mental health teams, crisis lines, the ward: services can feel like "
            "a maze. This course maps who does what locally, how referrals work and how carers can be involved "
            "at each step."
        ),
        outcomes=_outcomes("""
            Describe the main local mental health services and how people are referred to them
            Find the right contact for a question or a worry
            Ask to be involved in care planning and know what a care coordinator does
            Know where to turn out of hours
        """),
        sessions=_sessions(
            "The map of services | From the GP to specialist teams: a carer-drawn map of local services and who "
            "to call.",
            "Care planning and your part in it | What a care plan should contain and how to ask for a copy or a "
            "meeting.",
            "When things go wrong | Complaints, the Patient Advice and Liaison Service, advocacy and second opinions.",
        ),
        variants=(*AUDIENCES, LANGUAGE, ONLINE, ONE_DAY, PLACE),
    ),
    Template(
        key="crisis",
        title="Coping with a crisis",
        short="Coping with a crisis",
        category=RC,
        audience=Audience.CARERS,
        minutes=150,
        modes=("in_person",),
        summary=(
            "A practical course on what to do when the person you care for is in crisis: spotting the signs, "
            "keeping everyone safe, who to call and how to look after yourself afterwards. Taught by a carer "
            "peer trainer and a crisis team nurse."
        ),
        outcomes=_outcomes("""
            Recognise signs that a crisis may be coming
            Make a crisis plan with the person you care for while they are well
            Know which number to call and what to say
            Look after yourself and others in the household after a crisis
        """),
        sessions=_sessions(
            "Before a crisis | Warning signs, crisis plans and the conversations to have while things are calm.",
            "During and after | Calling for help, what the crisis team and A&E will do, and recovering together.",
        ),
        variants=(*AUDIENCES, LANGUAGE, ONLINE, ONE_DAY),
    ),
    Template(
        key="bipolar",
        title="Understanding bipolar disorder: for families and friends",
        short="Understanding bipolar disorder",
        category=RC,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "Highs, lows and everything between. Learn about bipolar disorder from people who live with it and "
            "care for someone with it: mood, triggers, treatment, money and relationships, and keeping "
            "yourself well."
        ),
        outcomes=_outcomes("""
            Describe the patterns of mood in bipolar disorder
            Identify triggers and early signs, and agree a plan with the person you care for
            Talk about money and spending safeguards without blame
            Name sources of support for yourself
        """),
        sessions=_sessions(
            "Understanding mood | What bipolar disorder is and is not; a lived-experience speaker.",
            "Treatment and staying well | Medication, mood diaries and relapse prevention plans.",
            "Family life | Money, work, relationships and boundaries; planning for the next episode together.",
        ),
        variants=FAMILY_VARIANTS,
    ),
    Template(
        key="depression-anxiety",
        title="Understanding depression and anxiety",
        short="Understanding depression and anxiety",
        category=RC,
        audience=Audience.EVERYONE,
        minutes=120,
        modes=("in_person", "online"),
        summary=(
            "Open to anyone: people who experience depression or anxiety, their families and staff. We explore "
            "what these experiences are like, what helps and how to support each other, with time to share "
            "and to listen."
        ),
        outcomes=_outcomes("""
            Describe common experiences of depression and anxiety
            Try three self-help techniques that people on the course have found useful
            Know how to access talking therapies locally
        """),
        sessions=_sessions(
            "What it feels like | Personal stories and what the words mean.",
            "What helps | Self-help tools, activity, sleep and talking therapies.",
            "Supporting each other | Being alongside someone who is struggling, and knowing your limits.",
        ),
        variants=(LANGUAGE, ONLINE, ONE_DAY, "young", "older"),
    ),
    Template(
        key="personality",
        title="Understanding complex emotional needs: a course for families",
        short="Understanding complex emotional needs",
        category=RC,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "For families and friends of someone with a diagnosis of personality disorder or complex emotional "
            "needs. Carers and a psychologist share what they have learnt about intense emotions, self-harm and "
            "keeping relationships steady."
        ),
        outcomes=_outcomes("""
            Understand how early experiences and intense emotions can shape behaviour
            Respond to distress in a validating way
            Set limits calmly and keep to them
            Find support for yourself when things feel overwhelming
        """),
        sessions=_sessions(
            "Making sense of a diagnosis | What the labels mean and what people with the diagnosis want families "
            "to know.",
            "Emotions in the family | Validation and staying calm when feelings run high.",
            "Self-harm and safety | Responding to self-harm and knowing when to seek help.",
            "Boundaries and hope | Limits, consistency and looking after yourself for the long term.",
        ),
        variants=(*AUDIENCES, ONLINE),
    ),
    Template(
        key="voices",
        title="Hearing voices: making sense of it together",
        short="Hearing voices",
        category=RC,
        audience=Audience.EVERYONE,
        minutes=120,
        modes=("in_person",),
        summary=(
            "A course for people who hear voices, their families and staff, taught by a voice hearer and a "
            "clinician. We look at different ways of understanding voices and the practical approaches people "
            "use to live well with them."
        ),
        outcomes=_outcomes("""
            Describe several ways people make sense of hearing voices
            Know about coping strategies and the Hearing Voices Network
            Talk about voices with curiosity rather than fear
        """),
        sessions=_sessions(
            "Many ways of understanding | Voices across cultures, the medical view and voice hearers' own "
            "explanations.",
            "Living with voices | Coping strategies and what people have found useful.",
            "Talking about it | How families and friends can have open conversations.",
            "Groups and next steps | Peer groups, the Hearing Voices Network and local support.",
        ),
        variants=(LANGUAGE, ONLINE),
        small=False,
    ),
    Template(
        key="medication",
        title="Medication: asking the right questions",
        short="Medication: asking the right questions",
        category=RC,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person", "online"),
        summary=(
            "With a mental health pharmacist and a carer peer trainer: what common medicines are for, side "
            "effects to look out for and how to raise concerns with the prescriber, as a partner in care."
        ),
        outcomes=_outcomes("""
            Describe what the main groups of mental health medicines are used for
            Recognise common side effects and know when to seek advice
            Prepare questions for a medication review
        """),
        sessions=_sessions(
            "Medicines explained | Antipsychotics, antidepressants and mood stabilisers in plain words.",
            "Being part of the conversation | Side effects, reviews and talking with prescribers.",
        ),
        variants=(*AUDIENCES, LANGUAGE, ONLINE),
    ),
    Template(
        key="confidentiality",
        title="Confidentiality and information sharing: what carers can expect",
        short="Confidentiality and information sharing",
        category=RC,
        audience=Audience.CARERS,
        minutes=150,
        modes=("online",),
        summary=(
            '"They won\'t tell me anything" is one of the things carers say most. This session explains what '
            "staff can and cannot share, what you can always be told and how to give information even when "
            "consent has not been given."
        ),
        outcomes=_outcomes("""
            Explain the difference between personal and general information
            Know what information staff should give carers even without consent
            Use a consent to share form and know how to update it
        """),
        sessions=_sessions(
            "Sharing information safely | Consent, confidentiality and the Triangle of Care, with examples "
            "carers brought to the design group.",
        ),
        variants=(LANGUAGE, STAFF),
    ),
    Template(
        key="recovery",
        title="Introduction to recovery",
        short="Introduction to recovery",
        category=RC,
        audience=Audience.EVERYONE,
        minutes=120,
        modes=("in_person", "online"),
        summary=(
            "Our foundation course, open to everyone. What does recovery mean to people with lived experience, "
            "to families and to services? We explore hope, control and opportunity, and the part each of us "
            "plays."
        ),
        outcomes=_outcomes("""
            Describe what personal recovery means and how it differs from clinical recovery
            Identify what supports hope, control and opportunity
            Start your own recovery or wellbeing plan
        """),
        sessions=_sessions(
            "What is recovery? | Personal stories and the idea of recovery as a journey.",
            "Hope, control and opportunity | What helps and what gets in the way.",
            "Your plan | Building a recovery or wellbeing plan you can use.",
        ),
        variants=(LANGUAGE, ONLINE, ONE_DAY, "young", "older"),
    ),
    Template(
        key="carers-rights",
        title="Carers' rights and carers' assessments",
        short="Carers' rights",
        category=RC,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "Carers have rights under the Care Act 2014, at work and in mental health services. Find out what "
            "a carer's assessment is, how to ask for one, what support may follow and how to get the most from it."
        ),
        outcomes=_outcomes("""
            Explain your right to a carer's assessment and how to request one
            Prepare for an assessment so your own needs are heard
            Know your rights at work, including flexible working and carer's leave
        """),
        sessions=_sessions(
            "Your rights | The Care Act, the carer's assessment and what the council must do.",
            "Making it work for you | Preparing for an assessment, carer's leave and getting support at work.",
        ),
        variants=(LANGUAGE, ONLINE, PLACE, "young", "older"),
    ),
    Template(
        key="self-harm",
        title="Supporting someone who self-harms",
        short="Supporting someone who self-harms",
        category=RC,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "A gentle, practical course for families and friends worried about self-harm. We look at why people "
            "self-harm, how to respond with care rather than panic, first aid and keeping communication open."
        ),
        outcomes=_outcomes("""
            Understand some of the reasons people self-harm
            Respond calmly and with compassion when you find out
            Know basic wound care and when to seek urgent help
            Look after your own feelings
        """),
        sessions=_sessions(
            "Understanding self-harm | Myths, reasons and what people who self-harm want us to know.",
            "Responding and staying connected | Conversations, first aid, safety plans and your own support.",
        ),
        variants=("parents", "partners", "siblings", "young", ONLINE),
        small=False,
    ),
    Template(
        key="voice-in-care",
        title="Being heard: carers in care planning",
        short="Being heard",
        category=RC,
        audience=Audience.CARERS,
        minutes=90,
        modes=("online",),
        summary=(
            "How to get your knowledge and worries across in care reviews, ward rounds and meetings. Carers "
            "practise preparing for a meeting, speaking up and following up in writing."
        ),
        outcomes=_outcomes("""
            Prepare for a meeting with the care team
            Say what you need to say clearly and calmly
            Follow up in writing and keep a record
        """),
        sessions=_sessions(
            "Preparing to be heard | What you know that the team needs, and planning your points.",
            "In the room and afterwards | Speaking up, asking questions and following up.",
        ),
        variants=(LANGUAGE, ONE_DAY, "male", "older"),
        small=False,
    ),
    Template(
        key="sharing-story",
        title="Sharing your story safely",
        short="Sharing your story safely",
        category=RC,
        audience=Audience.LIVED_EXPERIENCE,
        minutes=120,
        modes=("in_person",),
        summary=(
            "For people with lived experience, as a carer or of mental distress, who want to use their story to "
            "help others: in a course, a group or a talk. We explore what to share, what to keep private and "
            "how to look after yourself."
        ),
        outcomes=_outcomes("""
            Choose which parts of your story to share, and why
            Tell your story with a clear purpose for your audience
            Keep yourself and others safe when sharing
        """),
        sessions=_sessions(
            "Why share? | Purpose, audience and the power of lived experience.",
            "Shaping your story | Choosing what to share and practising in pairs.",
            "Staying well | Boundaries, difficult questions and support after sharing.",
        ),
        variants=(ONLINE,),
    ),
    Template(
        key="coproduction",
        title="Co-production in practice: designing courses together",
        short="Co-production in practice",
        category=RC,
        audience=Audience.EVERYONE,
        minutes=180,
        modes=("in_person",),
        summary=(
            "For carers, people with lived experience and staff who want to help shape Recovery College "
            "courses. What co-production really means, how our design workshops run and how to make sure every "
            "voice counts."
        ),
        outcomes=_outcomes("""
            Explain what co-production means and how it differs from consultation
            Take part in a design workshop with confidence
            Notice and share power in meetings
        """),
        sessions=_sessions(
            "What co-production is | Ladders of participation and examples from our own courses.",
            "Doing it well | Running a design workshop, sharing power and recording who shaped what.",
        ),
        variants=(ONLINE, STAFF),
        small=False,
    ),
    Template(
        key="carer-awareness",
        title="Carer awareness for staff: the Triangle of Care in practice",
        short="Carer awareness",
        category=RC,
        audience=Audience.STAFF,
        minutes=180,
        modes=("in_person", "online"),
        summary=(
            "For ward, community and crisis team staff. Carer trainers and a carers' lead explain what families "
            "need from services, how to identify carers early and how to share information well."
        ),
        outcomes=_outcomes("""
            Identify carers at first contact and record them
            Explain the six Triangle of Care standards
            Share information with carers within the rules on confidentiality
        """),
        sessions=_sessions(
            "Carers in our services | Carers' stories, identifying carers and the six standards in practice.",
        ),
        variants=(ONLINE, PLACE),
    ),
    # Carers' self-management courses ----------------------------------------------------------
    Template(
        key="wellbeing",
        title="Looking after your own wellbeing as a carer",
        short="Looking after your own wellbeing",
        category=SM,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "Caring can take over. In four relaxed sessions led by carer peer trainers, you will take stock of "
            "your own health, try out small changes and leave with a plan that fits real life."
        ),
        outcomes=_outcomes("""
            Notice the signs of stress and burnout in yourself
            Try at least three ways of looking after your wellbeing
            Make a realistic plan for your own support
            Know about local carers' services and breaks
        """),
        sessions=_sessions(
            "Taking stock | How caring affects us; a wellbeing check-in.",
            "Body and mind | Sleep, food, movement and relaxation that fit into a carer's day.",
            "Support around you | Friends, family, carers' centres and breaks.",
            "My plan | Putting it together and keeping it going.",
        ),
        variants=(*AUDIENCES, LANGUAGE, ONLINE, ONE_DAY, PLACE),
    ),
    Template(
        key="stress",
        title="Managing stress and finding time for yourself",
        short="Managing stress",
        category=SM,
        audience=Audience.CARERS,
        minutes=120,
        modes=("online",),
        summary=(
            "A self-management course for carers who feel stretched thin. Understand your stress, try "
            "practical techniques and find a little time that is just yours."
        ),
        outcomes=_outcomes("""
            Describe how stress affects your body and thinking
            Use a breathing or grounding technique when you need it
            Find and protect small pockets of time for yourself
        """),
        sessions=_sessions(
            "Understanding stress | The stress bucket and what fills yours.",
            "Tools that help | Breathing, grounding and problem-solving.",
            "Time for you | Saying no, asking for help and planning breaks.",
        ),
        variants=(*AUDIENCES, LANGUAGE, PLACE),
    ),
    Template(
        key="sleep",
        title="Sleep and rest when you are caring",
        short="Sleep and rest",
        category=SM,
        audience=Audience.CARERS,
        minutes=90,
        modes=("online",),
        summary=(
            "Broken nights and worry can wear anyone down. Carers share what has helped them rest, alongside "
            "simple sleep science and techniques to try at home."
        ),
        outcomes=_outcomes("""
            Understand what affects sleep
            Try two techniques for settling a busy mind
            Plan for rest when nights are disturbed
        """),
        sessions=_sessions(
            "Why sleep matters | Sleep cycles, worry and what carers told us keeps them awake.",
            "Resting well | Wind-down routines, relaxation and naps that help.",
        ),
        variants=("older", "parents", ONE_DAY),
        small=False,
    ),
    Template(
        key="boundaries",
        title="Setting boundaries with love",
        short="Setting boundaries with love",
        category=SM,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "How do you say no to someone you love when they are unwell? This course helps carers work out "
            "what is and is not theirs to carry, and practise holding limits kindly."
        ),
        outcomes=_outcomes("""
            Identify where your limits are
            Say no clearly and kindly
            Stay consistent when boundaries are tested
        """),
        sessions=_sessions(
            "Where are my limits? | Values, guilt and what is yours to carry.",
            "Saying it | Practising boundary conversations in a safe space.",
            "Keeping going | When boundaries are tested and when to seek support.",
        ),
        variants=(*AUDIENCES, LANGUAGE, ONLINE),
    ),
    Template(
        key="planning-ahead",
        title="Planning ahead: if I could not care tomorrow",
        short="Planning ahead",
        category=SM,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "Many carers lie awake wondering what would happen if they were ill or no longer there. This course "
            "covers emergency plans, Lasting Power of Attorney, wills and trusts, with a solicitor and carers "
            "who have done it."
        ),
        outcomes=_outcomes("""
            Write an emergency plan for the person you care for
            Understand Lasting Power of Attorney and deputyship
            Know where to get advice on wills and trusts
        """),
        sessions=_sessions(
            "An emergency plan | What to write down and who to tell.",
            "Legal options | Power of attorney, deputyship, wills and trusts explained.",
        ),
        variants=("older", "parents", LANGUAGE, ONLINE),
    ),
    Template(
        key="money",
        title="Money matters for carers",
        short="Money matters",
        category=SM,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "Benefits, Carer's Allowance, budgeting and help with costs, explained by a welfare rights adviser "
            "with carers who have been through it."
        ),
        outcomes=_outcomes("""
            Check whether you may be entitled to Carer's Allowance and other support
            Know where to get free benefits advice
            Manage money safely when the person you care for is unwell
        """),
        sessions=_sessions(
            "Benefits and allowances | Carer's Allowance, Universal Credit and other help.",
            "Keeping money safe | Budgeting, debt advice and agreeing safeguards together.",
        ),
        variants=(LANGUAGE, PLACE, ONLINE),
    ),
    Template(
        key="mindfulness",
        title="Mindfulness for carers",
        short="Mindfulness",
        category=SM,
        audience=Audience.CARERS,
        minutes=60,
        modes=("online",),
        summary=(
            "Six short online sessions introducing mindfulness practices that fit into a carer's day, with a "
            "carer who teaches mindfulness. No experience needed."
        ),
        outcomes=_outcomes("""
            Practise short mindfulness exercises
            Notice habits of worry and self-criticism
            Build a practice that fits your routine
        """),
        sessions=_sessions(
            "Arriving | What mindfulness is and a first practice.",
            "The breath | Breathing space for busy days.",
            "The body | Body scan and noticing tension.",
            "Thoughts | Watching worries without following them.",
            "Kindness | Self-compassion for carers.",
            "Carrying it on | Making it part of everyday life.",
        ),
        variants=("older", "male", "young"),
    ),
    Template(
        key="communication",
        title="Calmer conversations: communicating when someone is unwell",
        short="Calmer conversations",
        category=SM,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "Arguments about whether someone is ill, or whether to take medication, leave everyone exhausted. "
            "Learn and practise listening techniques that lower the temperature and keep you connected."
        ),
        outcomes=_outcomes("""
            Use reflective listening to understand the other person's view
            Avoid common conversation traps
            Find areas of agreement and small next steps
            Repair after a difficult conversation
        """),
        sessions=_sessions(
            "Listening first | Reflective listening and why arguing rarely helps.",
            "Empathy and agreement | Finding common ground.",
            "Partnership | Agreeing small steps together.",
            "When it goes wrong | Repair, apologies and looking after yourself.",
        ),
        variants=(*AUDIENCES, LANGUAGE, ONLINE, ONE_DAY),
    ),
    # Support-group session formats --------------------------------------------------------------
    Template(
        key="monthly-group",
        title="Peer support group: monthly meeting format",
        short="Peer support group",
        category=SG,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "How our carers' peer support groups run each month: a warm welcome, a round of news, time to share "
            "and to listen, and information about local support. Facilitated by an accredited carer peer "
            "facilitator."
        ),
        outcomes=_outcomes("""
            Feel welcomed and heard by other carers
            Share what has helped and learn from others
            Leave with information about local support
        """),
        sessions=_sessions(
            "Monthly meeting | Welcome and ground rules; check-in round; open sharing; an information spot; "
            "closing round and dates.",
        ),
        owner=CHARITY,
        variants=(PLACE, "male", "young", "parents", LANGUAGE),
    ),
    Template(
        key="cafe",
        title="Carers' wellbeing café: drop-in format",
        short="Carers' wellbeing café",
        category=SG,
        audience=Audience.CARERS,
        minutes=90,
        modes=("in_person",),
        summary=(
            "An informal drop-in for carers over tea and cake. Come for ten minutes or the whole time; a peer "
            "facilitator is there to chat, listen and point you to support."
        ),
        outcomes=_outcomes("""
            Meet other carers in a relaxed setting
            Find out about local services and breaks
        """),
        sessions=_sessions(
            "Drop-in café | Informal welcome, small-group chats, a short wellbeing activity and signposting.",
        ),
        owner=CENTRE,
        variants=(PLACE, "older"),
    ),
    Template(
        key="online-group",
        title="Online evening peer support group",
        short="Online evening peer support group",
        category=SG,
        audience=Audience.CARERS,
        minutes=90,
        modes=("online",),
        summary=(
            "For carers who cannot get to daytime groups. We meet by video on a weekday evening, with an "
            "accredited peer facilitator and a simple structure so everyone who wants to speak can."
        ),
        outcomes=_outcomes("""
            Connect with other carers from home
            Share experiences and practical tips
        """),
        sessions=_sessions(
            "Evening meeting | Check-in; a theme chosen by the group; open sharing; closing round.",
        ),
        owner=CHARITY,
        variants=("young", "male", "parents"),
    ),
    Template(
        key="new-carers",
        title="First steps: a welcome group for new carers",
        short="First steps welcome group",
        category=SG,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "If the person you care for has recently become unwell, this welcome group is a first step. Meet "
            "carers who have been where you are, ask anything and find out what support exists."
        ),
        outcomes=_outcomes("""
            Know you are not alone
            Find out about courses, groups and carers' assessments
            Leave with one or two next steps
        """),
        sessions=_sessions(
            "Welcome group | Introductions, carers' stories, questions and answers, and a take-home guide.",
        ),
        owner=CENTRE,
        variants=(PLACE, LANGUAGE),
    ),
    Template(
        key="ward-group",
        title="Ward carers' support group",
        short="Ward carers' support group",
        category=SG,
        audience=Audience.CARERS,
        minutes=90,
        modes=("in_person",),
        summary=(
            "A group held at the hospital for family and friends of people on the wards, run by a peer "
            "facilitator with a ward carers' lead on hand to answer questions."
        ),
        outcomes=_outcomes("""
            Share the experience of having someone in hospital
            Get answers about ward routines and discharge
        """),
        sessions=_sessions(
            "Ward group | Welcome; questions for the carers' lead; peer sharing; next steps.",
        ),
        variants=(PLACE,),
        small=False,
    ),
    Template(
        key="mens-group",
        title="Men who care: peer group format",
        short="Men who care",
        category=SG,
        audience=Audience.CARERS,
        minutes=120,
        modes=("in_person",),
        summary=(
            "A group for fathers, husbands, sons and brothers who care, meeting over a walk and a coffee. Men "
            "told us they find it easier to talk side by side; this format is built around that."
        ),
        outcomes=_outcomes("""
            Connect with other men who care
            Talk about caring in a way that feels comfortable
        """),
        sessions=_sessions(
            "Walk and talk | Meet, a gentle walk in pairs, coffee and an open conversation.",
        ),
        owner=CENTRE,
        variants=(PLACE,),
        small=False,
    ),
    # Train the Trainer -------------------------------------------------------------------------
    Template(
        key="ttt",
        title="Train the Trainer: carer peer trainers (two days)",
        short="Train the Trainer: carer peer trainers",
        category=TT,
        audience=Audience.CARERS,
        minutes=360,
        modes=("in_person",),
        summary=(
            "Two days for carers preparing to co-deliver Recovery College courses and co-facilitate carers' "
            "groups. Adult learning, using your lived experience with purpose, co-facilitating with a "
            "professional tutor and looking after yourself, leading to the peer trainer accreditation route."
        ),
        outcomes=_outcomes("""
            Plan and co-deliver a session using adult learning principles
            Share your lived experience purposefully and safely
            Co-facilitate with a professional tutor as an equal partner
            Manage group dynamics and difficult moments
            Use supervision and reflective practice to stay well
        """),
        sessions=_sessions(
            "Day 1: the peer trainer role | How adults learn; the peer trainer role; sharing your story with "
            "purpose; planning a session with a co-facilitator.",
            "Day 2: co-delivery in practice | Practice teaching in pairs with feedback; handling difficult "
            "moments; supervision, reflection and the accreditation portfolio.",
        ),
    ),
    Template(
        key="ttt-groups",
        title="Train the Trainer: co-facilitating carers' groups (one day)",
        short="Train the Trainer: co-facilitating carers' groups",
        category=TT,
        audience=Audience.CARERS,
        minutes=360,
        modes=("in_person",),
        summary=(
            "A one-day course for carers who will facilitate peer support groups: ground rules, holding a "
            "group, safeguarding and signposting, and what to do when a meeting gets hard."
        ),
        outcomes=_outcomes("""
            Open and close a group safely
            Hold a group so that everyone can take part
            Respond to distress and safeguarding concerns
        """),
        sessions=_sessions(
            "Facilitating groups | Ground rules; holding the group; practice rounds; safeguarding; "
            "supervision and self-care.",
        ),
        small=False,
    ),
    Template(
        key="ttt-refresher",
        title="Peer trainer refresher: reflective practice day",
        short="Peer trainer refresher",
        category=TT,
        audience=Audience.CARERS,
        minutes=180,
        modes=("in_person", "online"),
        summary=(
            "A half day for accredited carer peer trainers and facilitators to reflect on delivery, share "
            "what is working, update on new courses and renew their practice together."
        ),
        outcomes=_outcomes("""
            Reflect on your delivery with peers
            Update your knowledge of new and revised courses
            Plan your development for the coming year
        """),
        sessions=_sessions(
            "Reflective practice | Case discussion in small groups; updates on the catalogue; personal "
            "development planning.",
        ),
        small=False,
    ),
)

SMALL_TEMPLATES = tuple(template for template in TEMPLATES if template.small)
