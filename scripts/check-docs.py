#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks that what docs/ names in backticks exists in the code.

Every `span` in docs/*.md (outside fenced code blocks) is looked at:
- a path (it has a '/' or a file ending: daemon/spool.c, sql/functions/) must
  exist in the repository; a glob (sql/*.sql) must match something;
- a call, `name()` or `name(args)`, must be defined: a C function
  (`name(` at the start of a line, after its return type) or an SQL
  function or procedure (CREATE ... FUNCTION name);
- a bare snake_case name (a table, a view, a column, a config key, a metric,
  a C function named without parentheses) must occur in the code: C, SQL,
  shell, the Makefile, the sample configuration or the man pages.
Prints one line per name that is missing, with file and line, and exits 1
if any is.
Usage: scripts/check-docs.py [REPO]
"""
import glob
import os
import re
import sys

repo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..'))
os.chdir(repo)

CODE_DIRS = ['lib', 'common', 'db', 'draw', 'daemon', 'tools', 'include', 'sql', 'scripts', 'tests',
             'bench', 'fuzz', 'mk', 'etc', 'systemd', 'man', 'proto', 'debian']
CODE_FILES = ['Makefile']
SKIP = ('node_modules',)


def code_text():
    parts = []
    for d in CODE_DIRS:
        for root, dirs, files in os.walk(d):
            dirs[:] = [x for x in dirs if x not in SKIP]
            for f in files:
                if f.endswith(('.png', '.o', '.a', '.gz')):
                    continue
                try:
                    with open(os.path.join(root, f), encoding='utf-8', errors='replace') as fh:
                        parts.append(fh.read())
                except OSError:
                    pass
    for f in CODE_FILES:
        with open(f, encoding='utf-8') as fh:
            parts.append(fh.read())
    return '\n'.join(parts)


TEXT = code_text()
C_DEF = re.compile(r'^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\(', re.M)
SQL_DEF = re.compile(r'CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\s+(?:\w+\.)?(\w+)', re.I)
DEFINED = set(C_DEF.findall(TEXT)) | set(m.lower() for m in SQL_DEF.findall(TEXT))
# macros defined with arguments count as callables too
DEFINED |= set(re.findall(r'#\s*define\s+(\w+)\(', TEXT))
WORDS = set(re.findall(r'\w+', TEXT))

PATH = re.compile(r'^[\w.\-/*]+$')
CALL = re.compile(r'^(\w+)\s*\(.*\)$')
SNAKE = re.compile(r'^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$')
ENDINGS = ('.c', '.h', '.sql', '.sh', '.md', '.py', '.js', '.json', '.mk', '.conf', '.service',
           '.proto', '.1', '.5', '.8')

# Names of other software that docs/ discusses and the code does not use:
# scripts/check-docs.allow, one a line, with the reason after a '#'.
ALLOW = set()
with open('scripts/check-docs.allow', encoding='utf-8') as fh:
    for line in fh:
        name = line.split('#')[0].strip()
        if name:
            ALLOW.add(name)

missing = []
for doc in sorted(glob.glob('docs/*.md')):
    fence = False
    with open(doc, encoding='utf-8') as fh:
        for lineno, line in enumerate(fh, 1):
            if line.lstrip().startswith('```'):
                fence = not fence
                continue
            if fence:
                continue
            for span in re.findall(r'`([^`]+)`', line):
                s = span.strip()
                what = None
                if s in ALLOW:
                    continue
                if PATH.match(s) and ('/' in s or s.endswith(ENDINGS)) and not s.startswith(('-', '/')):
                    base = s.split(':')[0]
                    top = base.split('/')[0]
                    if '/' not in base:
                        # a file named alone: one of ours anywhere, or a header we include
                        if not glob.glob('**/' + base, recursive=True) and base not in TEXT:
                            what = 'file'
                    elif (os.path.exists(top) or base.endswith(ENDINGS)) and not glob.glob(base):
                        what = 'file'
                elif CALL.match(s):
                    name = CALL.match(s).group(1)
                    # defined by us, or called by our code (libc, libpq, PostgreSQL's own)
                    if name not in DEFINED and name.lower() not in DEFINED and \
                            not re.search(r'\b%s\s*\(' % re.escape(name), TEXT):
                        what = 'function'
                elif SNAKE.match(s):
                    if s not in WORDS:
                        what = 'name'
                if what:
                    missing.append('%s:%d: %s `%s` is not in the code' % (doc, lineno, what, s))

for m in missing:
    print(m)
if missing:
    print('docs-check: %d names in docs/ that the code does not have' % len(missing), file=sys.stderr)
    sys.exit(1)
print('docs-check: every file, function and name that docs/ gives in backticks exists')
