"""The pseudonymised extract for evaluators: one row per person, run and timepoint (ADR 019).

A row stands for one person's completed questionnaires on one run in the report's scope at
one timepoint, with what an analyst needs beside the scores: the course, the organisation,
the person's equality monitoring answers, their place and attendance on the run. It never
holds a name, contact detail, postcode, date of birth, free text, user id or database id.

**Pseudonyms.** Each extract draws a fresh random 256-bit key, held in memory only while the
file is written; a person's pseudonym is HMAC-SHA256 of their id under that key (16 hex
characters), a run's the same with another domain prefix. Rows of one file can be linked;
two files cannot be linked to each other, and nobody (PeerPath included) can turn a
pseudonym back into a person, because the key is never stored or shown.

**One list of column specs** (``ExtractColumn``) drives the data, the data dictionary sheet
and the page that describes the extract, so the three cannot disagree.

**Scores** are those of the newest scoring version of each instrument, as in the reports
(``sections.pairs``): a response not yet rescored under the newest rule leaves its scale
columns blank. When a person completed the same questionnaire twice at one timepoint (a
paper form typed in after they answered online), the later completion counts.

**Queries.** Working out the columns takes three queries; the rows take three more
(responses, their scores, service-use answers), each streamed in chunks and walked side by
side, whatever the number of rows. At national scale that is about 900,000 responses, so
nothing holds more than the row being assembled.

Caveat: the combination of borough, organisation, age band, sex, ethnicity and disability
can single out a person in a small cohort. The extract is for evaluators working under an
information-sharing agreement, not for publication: figures made from it must go through
the disclosure policy before they leave the evaluation.
"""

from peerpath.reports.extract.columns import (
    FIXED_COLUMNS,
    MIXED_MODES,
    ColumnType,
    ExtractColumn,
    Measure,
    data_dictionary,
    is_service_use,
    measure_columns,
)
from peerpath.reports.extract.files import about_rows, audited_rows, record_extract_made, scope_identifiers, xlsx_file
from peerpath.reports.extract.pseudonyms import (
    PERSON_DOMAIN,
    PSEUDONYM_LENGTH,
    PSEUDONYM_NOTE,
    RUN_DOMAIN,
    Pseudonymiser,
)
from peerpath.reports.extract.queries import CHUNK_SIZE, RESPONSE_FIELDS, measures, withdrawn_from_evaluation
from peerpath.reports.extract.rows import Extract, _Follower, plan_extract

__all__ = [
    "CHUNK_SIZE",
    "FIXED_COLUMNS",
    "MIXED_MODES",
    "PERSON_DOMAIN",
    "PSEUDONYM_LENGTH",
    "PSEUDONYM_NOTE",
    "RESPONSE_FIELDS",
    "RUN_DOMAIN",
    "ColumnType",
    "Extract",
    "ExtractColumn",
    "Measure",
    "Pseudonymiser",
    "_Follower",
    "about_rows",
    "audited_rows",
    "data_dictionary",
    "is_service_use",
    "measure_columns",
    "measures",
    "plan_extract",
    "record_extract_made",
    "scope_identifiers",
    "withdrawn_from_evaluation",
    "xlsx_file",
]
