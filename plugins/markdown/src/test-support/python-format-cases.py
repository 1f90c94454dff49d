# Regenerates python-format-cases.json (format(value, spec) from CPython) for format-spec.test.ts:
#   python3 plugins/markdown/src/test-support/python-format-cases.py > plugins/markdown/src/test-support/python-format-cases.json
# Whole-number floats are left out: JavaScript cannot tell 3.0 from 3, and the runtime formats both as ints.
import json
cases = []
floats = [3.14159, -2.5, 0.0, 1234567.891, 1e-7, 123.0+0.456, 1e16+2, 0.000123456, 99.995, -0.0001]
ints = [0, 42, -7, 1234567, 255]
intsc = ints
specs_f = ['', '.2f', '.0f', '#.0f', '10.3f', '<10.2f', '^12.1f', '*>10.1f', '+.3f', ' .2f', ',.2f', '_.1f', '010.2f', '010,.1f', '.3e', '.2E', 'e', 'g', '.3g', '#.3g', '.2', '.3', '.10g', '%', '.1%', 'z.1f', 'f', 'G', '12', '=+12.2f']
specs_i = ['', 'd', '5d', '<5', '^7', '+d', ',', '_', '010,', '09,', 'x', 'X', '#x', '#o', 'b', '#b', '_b', '.2f', 'e', '.1%', 'c', '=+8', '0>6', '<06', 'n', 'g']
specs_s = ['', 's', '10', '>10', '^9', '*^9', '.3', '10.2', '05']
for v in floats:
    for s in specs_f:
        cases.append([v, s, format(v, s)])
for v in ints:
    for s in specs_i:
        if s == 'c' and (v < 0 or v > 0x10ffff): continue
        cases.append([v, s, format(v, s)])
for v in ['hello', 'héllo wörld']:
    for s in specs_s:
        cases.append([v, s, format(v, s)])
for v in [True, False]:
    for s in ['', 'd', '>5', '.1f']:
        cases.append([v, s, format(v, s)])
cases = [c for c in cases if not (isinstance(c[0], float) and c[0] == int(c[0]))]
print(json.dumps(cases, ensure_ascii=False, indent=0))
