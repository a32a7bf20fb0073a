"""The property-based suites' shared budget and settings.

Every target gets a fixed number of generated examples; each test counts the examples it really
ran and asserts the count, and ``test_the_budget_adds_up`` asserts the sum (at least 10,000).
No example database: failures are not replayed from ``.hypothesis/`` (which Hypothesis keeps
git-ignored for its caches); a failure prints the shrunk example, and ``--hypothesis-seed``
reproduces a run.
"""

import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

BUDGET = {
    "save: valid": 700,
    "save: structured but wrong": 2300,
    "save: raw bytes": 1200,
    "submit": 1400,
    "study check": 1400,
    "json endpoints": 600,
    "import: native": 800,
    "import: gift": 800,
    "import: aiken": 800,
    "import: csv": 800,
    "import: moodlexml": 800,
}
TOTAL_PROMISED = 10_000


def fuzz_settings(target: str):
    return settings(
        max_examples=BUDGET[target],
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# Values that are wrong wherever a whole number, a list or a boolean is expected.
HUGE = st.one_of(
    st.integers(min_value=10**9 + 1, max_value=10**40),
    st.integers(min_value=-(10**40), max_value=-1),
    st.sampled_from([2**31, 2**63, 2**64, 10**18, -(2**63) - 1]),
)
ODD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["1", "0", "", "true", "١", "²", "\u202e1", "1e3", "0x1"]),
)
ODD_VALUES = st.one_of(
    ODD_SCALARS,
    HUGE,
    st.lists(st.integers(min_value=-3, max_value=12), max_size=4),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=3),
    st.lists(st.lists(st.integers(), max_size=2), max_size=2),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
JSON_TOKENS = [
    "{", "}", "[", "]", ",", ":", '"', "\\", "null", "true", "false", "-", "0", "1", "9" * 30, "1e999",
    "NaN", "Infinity", '"position"', '"selected"', '"flagged"', '"revision"', "\\u0000", "\\ud800", " ",
]  # fmt: skip
RAW_BODIES = st.one_of(
    st.binary(max_size=5000),
    st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(JSON_TOKENS), max_size=80).map(lambda ts: "".join(ts).encode()),
    st.integers(min_value=1, max_value=2100).map(lambda d: ("[" * d + "]" * d).encode()),
    st.integers(min_value=1, max_value=800).map(lambda d: ('{"a":' * d + "1" + "}" * d).encode()),
    st.integers(min_value=4000, max_value=4200).map(lambda n: b'{"position": 1, "x": "' + b"a" * n + b'"}'),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/octet-stream",
        "",
    ]
)
JSON_CONTENT_TYPES = st.sampled_from(["application/json", "application/json; charset=utf-8"])
ACCEPTS = st.one_of(
    st.sampled_from(["application/json", "text/html", "*/*", "application/json, text/html", ""]),
    st.text(max_size=20).filter(lambda t: t.isprintable()),
)
