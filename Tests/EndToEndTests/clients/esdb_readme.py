"""Runs the ```python blocks of a client package's README (taken from its source distribution,
never copied into this repository) against Wharf, in order and in one namespace, as a reader
following the README would:

    python3 esdb_readme.py SDIST_TARBALL HOST:PORT [CA_FILE USER:PASSWORD]

With a CA file and credentials the README runs over TLS with Basic credentials, as against a
secure server: its KDB_URI and KDB_ROOT_CERTIFICATES say so, and its hard-coded insecure URI is
made secure.

Sections that need what Wharf does not serve (JavaScript projections, KurrentDB 25.1+/26.1 "v2"
APIs, secondary indexes, OpenTelemetry) are skipped and listed. Prints "ran SECTION" per block that passed and "FAIL
SECTION: error" per block that raised, then a summary line.
"""
import os
import re
import sys
import tarfile
import traceback

tarball, target = sys.argv[1], sys.argv[2]
tls = sys.argv[3:5]
SKIP = [
    "KurrentDB server", "Run container", "Stop container",            # docker
    "Multi-append to stream", "Append records",                         # v2 StreamsService (25.1+)
    "Read using secondary index", "Subscribe using secondary index",    # 26.1 indexes
    "Projections", "Create projection", "Get projection state", "Update projection",
    "Get projection statistics", "List all projection statistics", "List continuous projection statistics",
    "Disable projection", "Enable projection", "Abort projection", "Reset projection",
    "Delete projection", "Restart projections subsystem",               # JavaScript projections
    "Instrumentation", "OpenTelemetry",                                 # needs opentelemetry packages
    "Asyncio client", "Synopsis-1", "FastAPI example",                  # fastapi not installed
    "Recorded events",                                                  # a listing of the dataclass, not runnable
]

with tarfile.open(tarball) as tar:
    member = next(m for m in tar.getmembers() if m.name.endswith("/README.md") and m.name.count("/") == 1)
    readme = tar.extractfile(member).read().decode()

section = "Preamble"
blocks = []
in_block = False
lines = []
seen_titles = {}
for line in readme.splitlines():
    heading = re.match(r"^#{2,4} (.+?)(<a id=.*)?$", line)
    if heading and not in_block:
        title = heading.group(1).strip()
        seen_titles[title] = seen_titles.get(title, 0) + 1
        section = title if seen_titles[title] == 1 else f"{title}-{seen_titles[title] - 1}"
    elif line.strip() == "```python" and not in_block:
        in_block, lines = True, []
    elif line.strip() == "```" and in_block:
        in_block = False
        blocks.append((section, "\n".join(lines)))
    elif in_block:
        lines.append(line)

if tls:
    ca, userinfo = tls
    os.environ["KDB_URI"] = f"kurrentdb://{userinfo}@{target}?Tls=true"
    os.environ["KDB_ROOT_CERTIFICATES"] = open(ca).read()
else:
    os.environ["KDB_URI"] = f"kurrentdb://{target}?Tls=false"
    os.environ.pop("KDB_ROOT_CERTIFICATES", None)
namespace = {"__name__": "__readme__"}
ran = failed = skipped = 0
for section, code in blocks:
    if section in SKIP:
        skipped += 1
        print(f"skip {section}")
        continue
    code = re.sub(r"(localhost|127\.0\.0\.1):2113(?!\d)", target, code)
    if tls:
        code = code.replace(f"kurrentdb://{target}?Tls=false", f"kurrentdb://{userinfo}@{target}?Tls=true&TlsCaFile={ca}")
    try:
        exec(compile(code, f"README:{section}", "exec"), namespace)
        ran += 1
        print(f"ran {section}")
    except Exception as e:
        failed += 1
        print(f"FAIL {section}: {type(e).__name__}: {e}")
        traceback.print_exc(limit=3, file=sys.stderr)
print(f"README blocks: {ran} ran, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
