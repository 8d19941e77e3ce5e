"""Bulk runs: one action over many inputs, paced, recorded line by line, resumable.

Input is JSONL, one object of inputs a line, read as bytes and decoded line by
line. A blank line (only spaces, tabs or a CR) is not a line of input: it is
skipped and not counted, though line numbers stay those an editor shows.

Results are JSONL too, one record per event, appended (write + fsync) as each
call ends, so a crash loses nothing finished and at worst leaves a truncated
last line, which the next run drops. The file is created owner-only (0600)
and starts with a header naming the action; every later record names it too:

    {"format":"segment-connector/batch-results","version":2,"action":"createLabel"}
    {"action":"createLabel","line":3,"fingerprint":"<sha256 hex>","occurrence":1,"status":"started"}
    {"action":"createLabel","line":3,"fingerprint":"...","occurrence":1,"status":"ok","input":{...},"output":{...}}
    {"action":"createLabel","line":4,"fingerprint":"...","occurrence":1,"status":"error","input":{...},"error":{...},"retry":"safe"}
    {"action":"createLabel","line":5,"fingerprint":"...","occurrence":1,"status":"error","excerpt":"[1,2]","error":{...},"retry":"safe"}

A line is identified by its content, not its number: `fingerprint` is the
sha256 (hex) of the line's inputs as canonical JSON (sorted keys, no spaces,
ASCII escapes), or of its raw bytes (surrounding whitespace stripped) when it
could not be read as an object; `occurrence` says which line with that
fingerprint it is (1 for the first). Inserting, removing or reordering lines
therefore never runs a finished line again; `line` is kept for people.
`input` and `output` are masked for secrets; `excerpt` (the start of the raw
line) replaces `input` for a line that could not be read. `error` is
`connector.errors.error_record()`: `type`, `code`, `category`, `retryable`,
`message` and the error's own fields (`fields`, `status`, `errors`, `sent`).

`started` is written just before the first non-idempotent request (POST,
PATCH) of a line goes out, once it has its turn under the rate limit. The
last record of a line is its state. On a rerun with the same results file:

- `ok`: skipped.
- `error` with `"retry": "safe"`: run again. Nothing took effect: the line
  could not be read, the input was invalid, the call failed before sending
  anything (a plugin's own exception included), only idempotent requests
  were sent, the write surely never left (`sent: false`: connection refused,
  name not resolved, connect timeout; an unencodable request is an input
  error), or the API refused it with a 4xx (a 429 included).
- `error` with `"retry": "unknown"`: a non-idempotent request may have
  reached the API and its answer was lost (`sent: true` timeouts and dropped
  connections, a 5xx, a failure after the write went out), or the call
  succeeded but its answer could not be recorded (error type
  `unrecordable`). Not repeated unless `retry_unknown` is set, so a create is
  never made twice behind the user's back: check the workspace first.
- `started` with no outcome after it (the process died mid-call): recorded as
  `"retry": "unknown"` (error type `unknown_outcome`) and treated the same.

A line held by the rate limiter when a run stops sent nothing: it gets no
record and counts as not run, as do the lines after it. The summary's counts
add up: `total = ok + errors + skipped + not_run` (`unknown` counts the
errors of unknown outcome, listed in `unknown_outcome_lines`). When the input
is stdin or an unsized iterable, lines after a stop are not read, so `total`
counts only the lines read.

A run stops early (no new line starts) on SIGINT/SIGTERM; when
max(concurrency, 5) calls in a row fail to connect at all (`sent: false`)
since the last answer ("could not connect to <base url>: ...; stopped after
N lines"); or when the results file takes no more records. Exit codes
(`BatchSummary.exit_code`): 0 every line ok or skipped as done; 1 any line
failed (or was not run); 4 stopped because nothing could connect; 128 +
signal number when interrupted.

A results file belongs to one action: one written for another action, the
input file itself, or any non-empty file that is not a results file is
refused (and left untouched) before anything runs. A run holds an exclusive
lock (flock) on its results file for its whole length; a second run on the
same file fails at once (`ResultsInUseError`).

The package: `records` (header, records, fingerprint), `lines` (reading and
decoding input lines), `results_file` (locking, loading, refusing, appending),
`engine` (the rules of every run, written once: occurrences, resume, unknown
outcomes, the stop after failures to connect, signals, the tally and the one
function that builds a record; a dispatcher calls the lines), `calls` (what a
line's call put on the wire, watched on the runtime's event seam), `line_runner`
(one line's call and record), `summary` (`BatchSummary`) and `run` (`run_batch`:
the engine with a pool of threads). `connector.distributed.coordinator` runs the
same engine with Celery workers as its dispatcher.
"""

from connector.batch.lines import Line, parse_line
from connector.batch.records import (
    FORMAT,
    VERSION,
    OutcomeUnknownError,
    UnrecordableError,
    fingerprint,
    header,
)
from connector.batch.results_file import ResultsFile, ResultsInUseError, default_results_path
from connector.batch.run import run_batch
from connector.batch.summary import BatchSummary

__all__ = [
    "FORMAT",
    "VERSION",
    "BatchSummary",
    "Line",
    "OutcomeUnknownError",
    "ResultsFile",
    "ResultsInUseError",
    "UnrecordableError",
    "default_results_path",
    "fingerprint",
    "header",
    "parse_line",
    "run_batch",
]
