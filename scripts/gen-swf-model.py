#!/usr/bin/env python3
"""Generate lib/engine/model/swf-model.json from the SWF service model that botocore ships.

The table holds what the engine's input validator needs and nothing else (no documentation):

    {"operations": {Op: {"input": Shape, "output": Shape | null}},
     "shapes": {Shape: {"type": ..., "members": {name: Shape}, "required": [...],
                        "member": Shape, "min": n, "max": n, "enum": [...], "format": [...]}}}

Only shapes reachable from an operation's input are kept. Output is deterministic (sorted keys,
stable enum order as in the model) so that regenerating on the same botocore gives no diff.

`format` carries rules that the model states only in documentation text. The list below is
explicit because the docs attach those sentences to *members* (RegisterDomain.name,
PollForActivityTask.taskList, ...) while validation needs them on *shapes*; the script then
re-reads the documentation and fails if a documented rule is not covered, so a model update
cannot silently drop one.

Usage: python3 scripts/gen-swf-model.py [--check]
  --check  exit 1 if the committed JSON differs from what would be generated.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys

import botocore

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib', 'engine', 'model', 'swf-model.json')

# Task list names and type names share the model shape `Name`, but the docs give task list names
# an extra rule (no edge whitespace) that type names do not have; a synthetic shape separates them.
TASK_LIST_NAME = 'TaskListName'

# Rules the model states only in prose. Applied to every input use of the shape (not only the
# member whose docs say it): these are identifiers, so a value that could never have been created
# is rejected up front instead of behaving differently depending on which call carries it.
FORMATS: dict[str, list[str]] = {
    'DomainName': ['name', 'noEdgeWhitespace'],
    'Name': ['name'],
    TASK_LIST_NAME: ['name', 'noEdgeWhitespace'],
    'Version': ['name'],
    'WorkflowId': ['name'],
    'ActivityId': ['name'],
    'TimerId': ['name'],
    'DurationInSecondsOptional': ['duration'],
    'DurationInSeconds': ['durationSeconds'],
    'DurationInDays': ['retentionDays'],
    'TaskPriority': ['int32'],
    'ResourceTagKey': ['tag'],
    'ResourceTagValue': ['tag'],
}

# Documented rules deliberately not enforced by the table, with the reason.
NOT_ENFORCED: dict[tuple[str, str, str], str] = {
    # The sentence is the AWS resource-tagging wording; execution tags (`Tag`) predate it and
    # enforcing it could reject tags that work against AWS today.
    ('TagFilter', 'tag', 'tag'): 'execution tag charset is unverified',
    # Same shape as the NONE-accepting timeouts; the handler rejects NONE and the 1-year cap
    # together (swf-spec 3.2 / 3.3), so the table keeps the shape's general rule.
    ('StartWorkflowExecutionInput', 'executionStartToCloseTimeout', 'durationNoNone'): 'checked by the handler',
    ('RegisterWorkflowTypeInput', 'defaultExecutionStartToCloseTimeout', 'durationNoNone'): 'checked by the handler',
}

# Phrases in member documentation -> the rule they state.
DOC_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'must not contain a : \(colon\), / \(slash\), \| \(vertical bar\)'), 'name'),
    (re.compile(r'must not start or end with whitespace'), 'noEdgeWhitespace'),
    (re.compile(r'Integer\.MIN_VALUE'), 'int32'),
    (re.compile(r'maximum workflow execution retention period is 90 days'), 'retentionDays'),
    (re.compile(r'Tags may only contain'), 'tag'),
]
DOC_SECONDS = re.compile(r'specified in seconds[;,] an integer greater than or equal to 0')
DOC_NONE_OK = re.compile(r'You can use NONE to specify unlimited duration')
DOC_NONE_FORBIDDEN = re.compile(r'cannot specify a value of "?NONE"?')

# A format that implies another one (a stricter duration still satisfies the docs for the looser).
IMPLIES = {'durationSeconds': {'durationSeconds', 'durationNoNone'}}

KEEP_KEYS = ('min', 'max')


def load_model() -> dict:
    path = os.path.join(os.path.dirname(botocore.__file__), 'data', 'swf', '2012-01-25', 'service-2.json.gz')
    with gzip.open(path, 'rt', encoding='utf-8') as f:
        return json.load(f)


def strip_html(doc: str) -> str:
    return re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', ' ', doc or ''))


def build(model: dict) -> dict:
    src = model['shapes']
    ops = model['operations']

    operations = {}
    for name in sorted(ops):
        op = ops[name]
        operations[name] = {
            'input': op['input']['shape'],
            'output': op['output']['shape'] if 'output' in op else None,
        }

    shapes: dict[str, dict] = {}

    def compact(name: str, s: dict) -> dict:
        out: dict = {'type': s['type']}
        for k in KEEP_KEYS:
            if k in s:
                out[k] = s[k]
        if 'enum' in s:
            out['enum'] = list(s['enum'])
        if s['type'] == 'structure':
            members = {}
            for m, ref in s['members'].items():
                target = ref['shape']
                if name == 'TaskList' and m == 'name':
                    target = TASK_LIST_NAME
                members[m] = target
            out['members'] = members
            out['required'] = sorted(s.get('required', []))
        elif s['type'] == 'list':
            out['member'] = s['member']['shape']
        elif s['type'] == 'map':
            out['key'] = s['key']['shape']
            out['value'] = s['value']['shape']
        if name in FORMATS:
            out['format'] = sorted(FORMATS[name])
        return out

    def walk(name: str) -> None:
        if name in shapes:
            return
        if name == TASK_LIST_NAME:
            shapes[name] = compact(name, src['Name'])
            return
        s = src[name]
        shapes[name] = compact(name, s)
        out = shapes[name]
        for child in list(out.get('members', {}).values()) + [out[k] for k in ('member', 'key', 'value') if k in out]:
            walk(child)

    for op in operations.values():
        walk(op['input'])

    for name in FORMATS:
        if name not in shapes:
            sys.exit(f'gen-swf-model: format listed for {name}, which is not reachable from any input')
        if shapes[name]['type'] != 'string':
            sys.exit(f'gen-swf-model: format listed for non-string shape {name}')

    check_documented_rules(src, shapes)

    return {
        'metadata': {
            'apiVersion': model['metadata']['apiVersion'],
            'botocoreVersion': botocore.__version__,
            'targetPrefix': model['metadata']['targetPrefix'],
        },
        'operations': operations,
        'shapes': dict(sorted(shapes.items())),
    }


def string_targets(shapes: dict, name: str) -> list[str]:
    """The string shapes a rule stated on a member of shape `name` applies to."""
    s = shapes[name]
    if s['type'] == 'string':
        return [name]
    if s['type'] == 'list':
        return string_targets(shapes, s['member'])
    if s['type'] == 'structure':
        if 'name' in s['members']:  # TaskList: the docs describe "the specified string", i.e. its name
            return string_targets(shapes, s['members']['name'])
        return [t for m in s['members'].values() for t in string_targets(shapes, m)]
    return []


def check_documented_rules(src: dict, shapes: dict) -> None:
    missing = []
    for sname in sorted(shapes):
        if sname not in src or src[sname]['type'] != 'structure':
            continue
        for mname, ref in sorted(src[sname]['members'].items()):
            doc = strip_html(ref.get('documentation', ''))
            rules = {rule for rx, rule in DOC_RULES if rx.search(doc)}
            if DOC_SECONDS.search(doc):
                if DOC_NONE_FORBIDDEN.search(doc):
                    rules.add('durationNoNone')
                elif DOC_NONE_OK.search(doc):
                    rules.add('duration')
                else:
                    rules.add('durationSeconds')
            target_shape = shapes[sname]['members'][mname]
            for rule in sorted(rules):
                if (sname, mname, rule) in NOT_ENFORCED:
                    continue
                for target in string_targets(shapes, target_shape):
                    have = set()
                    for f in shapes[target].get('format', []):
                        have |= IMPLIES.get(f, {f})
                    if rule not in have:
                        missing.append(f'{sname}.{mname} ({target}): documented rule {rule!r} not in the table')
    if missing:
        sys.exit('gen-swf-model: documentation states rules the table lacks:\n  ' + '\n  '.join(missing))


def render(table: dict) -> str:
    # Indented so that a model update shows up as a readable diff.
    return json.dumps(table, sort_keys=True, indent=1, ensure_ascii=False) + '\n'


def main() -> None:
    text = render(build(load_model()))
    if '--check' in sys.argv[1:]:
        with open(OUT, encoding='utf-8') as f:
            if f.read() != text:
                sys.exit(f'gen-swf-model: {os.path.relpath(OUT)} is stale; run npm run gen:model')
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w', encoding='utf-8') as f:
        f.write(text)
    print(f'wrote {os.path.relpath(OUT)}: {len(json.loads(text)["operations"])} operations')


if __name__ == '__main__':
    main()
