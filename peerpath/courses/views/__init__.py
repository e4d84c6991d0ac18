"""Coordinators' course screens. Views parse, authorise, call a service and render; nothing more.

Every course is fetched through ``access.access_course`` (out of scope is a
404) before its object rule is checked (403). Pages re-shown with errors
answer 400; a service's CourseError becomes a form error, never a 500.
"""
