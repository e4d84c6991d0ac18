"""Forms for the coordinators' course screens, worded in NHS content style.

Forms validate and clean; the rules that need the database (which transitions
are allowed, whether a version can be approved, what a file really is) live in
``services`` and come back as ``CourseError``s, which ``add_service_error``
puts next to the right field.
"""

# Options for a small whole-number box (sessions, staff): numeric keypad on phones.
WHOLE_NUMBER = {"classes": "nhsuk-input--width-3", "inputmode": "numeric", "no_optional": True}
