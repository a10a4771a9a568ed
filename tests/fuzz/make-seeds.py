#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Writes the seed corpus of the fuzz targets into corpus/ (see README
# “Fuzzing”): wire messages of the kinds Loom sends, signed with the fuzz
# key (loom-fuzz.h) or left for fuzz-wire to sign, JSON lines, sweep specs.
# The fuzzer adds its own finds next to them; rerunning this rewrites only
# the seeds.

import hashlib
import hmac
import os
import struct

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
KEY = bytes(range(32))
RS = b'\x1e'
SIGN, SMALL = 0x01, 0x08


def routing(n):
    return n << 1


def write(target, name, data):
    os.makedirs(os.path.join(top, target), exist_ok=True)
    with open(os.path.join(top, target, name), 'wb') as f:
        f.write(data)


def header(msg_type, n, parent=None):
    p = 'null' if parent is None else '"%s"' % parent
    return ('{"msg_id":"a1b2c3d4-%d","msg_type":"%s","parent":%s,'
            '"date":1795552651667381,"version":1}' % (n, msg_type, p)).encode()


def signature(parts):
    h = hmac.new(KEY, digestmod=hashlib.sha256)
    h.update(struct.pack('>Q', len(parts)))
    for p in parts:
        h.update(struct.pack('>Q', len(p)))
        h.update(p)
    return h.hexdigest().encode()


def raw(frames):
    return b'\x00' + RS.join(frames)


def signed_frames(routing_ids, parts):
    return list(routing_ids) + [b'LOOM/1', signature(parts)] + list(parts)


messages = [
    ('register', [], b'{"name":"host","pid":4242,"time":1795552651667381,'
     b'"heartbeat_id":"hb-1","log":"/tmp/engine-4242.log"}', []),
    ('register', [], b'{"name":"host","pid":4242,"time":1795552651667381,'
     b'"heartbeat_id":"hb-1","id":3,"holding":[[1,0,0],[1,5,1]]}', []),
    ('results', [b'\x00\x80\x00\x00\x29'],
     b'{"engine":3,"tasks":[[1,0,0,2,1795552651667381,1795552652667381],'
     b'[1,1,0,3,1795552651667381,1795552652667381]]}',
     [b'42\n"done"', b'{"stdout":"hi\\n"}\n{"stderr":"boom","exit_status":1}']),
    ('tasks', [], b'{"job":1,"kind":"builtin","function":"sleep","first":0}',
     [b'{"seconds":0.5}\n{"seconds":1}\n{"x":[1,2.5,"a",null,true]}']),
    ('submit', [b'client-7'], b'{"kind":"command","template":["echo","{x}"],'
     b'"n_tasks":2,"retries":1,"timeout":2.5}', [b'{"x":1}\n{"x":"\\u00e9"}']),
    ('status', [], b'{}', []),
    ('heartbeat', [], b'{}', []),
    ('events', [b'loom.tasks'], b'{"events":[{"type":"task_done","job":1,'
     b'"index":0,"engine":3}]}', []),
]

for i, (msg_type, ids, content, buffers) in enumerate(messages):
    hdr = header(msg_type, i + 1, 'a1b2c3d4-0' if msg_type == 'results' else None)
    # For fuzz-wire to sign: flags, then routing ids, header, content, buffers.
    write('wire', 'valid-%s-%d' % (msg_type, i),
          bytes([SIGN | routing(len(ids))]) + RS.join(ids + [hdr, content] + buffers))
    # As they travel: signed here, checked by the decoder as they are.
    write('wire', 'valid-raw-%s-%d' % (msg_type, i),
          raw(signed_frames(ids, [hdr, content] + buffers)))
    write('json', 'content-%s-%d' % (msg_type, i), content)
    write('json', 'header-%s-%d' % (msg_type, i), hdr)
    for j, b in enumerate(buffers):
        for k, line in enumerate(b.split(b'\n')):
            write('json', 'line-%s-%d-%d-%d' % (msg_type, i, j, k), line)

good = header('status', 99)
write('wire', 'drop-malformed-1', bytes([SIGN]) + b'not json' + RS + b'{}')
write('wire', 'drop-malformed-2', bytes([SIGN]) + b'{"msg_type":""}' + RS + b'{}')
write('wire', 'drop-malformed-3', raw([good, b'{}']))
write('wire', 'drop-malformed-4', bytes([SIGN]) + b'[' * 300 + b']' * 300 + RS + b'{}')
write('wire', 'drop-unsigned-1', raw([b'LOOM/1', b'', good, b'{}']))
write('wire', 'drop-bad_signature-1', raw([b'LOOM/1', b'0' * 64, good, b'{}']))
write('wire', 'drop-bad_signature-2', raw([b'LOOM/1', b'0' * 63, good, b'{}']))
write('wire', 'drop-too_large-1', bytes([SIGN | SMALL]) + good + RS + b'{"x":"' + b'a' * 300 + b'"}')

json_seeds = {
    'deep-256': b'[' * 256 + b']' * 256,
    'deep-257': b'[' * 257 + b']' * 257,
    'objects': b'{"a":{"b":{"c":[{"d":null}]}}}',
    'numbers': b'[0,-1,9223372036854775807,-9223372036854775808,1.5,1e300,-0.0,0.1]',
    'strings': b'["\\"[","\\\\","\\u005b","\\ud83d\\ude00","\xc3\xa9"]',
    'brackets-in-string': b'{"a":"[[[[{{{{","b":[]}',
    'empty-object': b'{}',
    'scalar': b'"text"',
}
for name, data in json_seeds.items():
    write('json', name, data)

sweep_seeds = {
    'list': b'x=1,2,5',
    'range': b'x=range:0:10:2\ny=range:0:1:0.1',
    'lin-log': b'a=lin:0:1:5\nb=log:1:1000:4',
    'random': b'r=random:uniform:0:1:10:42\ni=random:int:1:6:3:7\nl=random:loguniform:1:100:3:1',
    'zip': b'x=1,2,3\ny=a,b,c\n%x,y',
    'const': b'x=list:a,b\n=mode=fast\n=n=[1,2]',
    'csv': b'z=1,2\n!a,b\n1,x\n2,y\n',
    'json-values': b'v=[1,2],{"k":"v"},null,true,"nan"',
    'quoted': b'x="a b"," "',
    'negative-range': b'x=range:10:0:-3',
}
for name, data in sweep_seeds.items():
    write('sweep', name, data)
