#!/usr/bin/env python3
"""Writes the seed corpus for tests/fuzz/fuzz_osc: OSC datagrams as a sender
would put them on the wire (OSC 1.0 encoding by hand), one file each."""
import os, struct, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

def s(text):
    b = text.encode() if isinstance(text, str) else text
    b += b'\0'
    return b + b'\0' * (-len(b) % 4)

def msg(address, *args):
    tags, data = ',', b''
    for t, v in args:
        tags += t
        if t == 'i': data += struct.pack('>i', v)
        elif t == 'h': data += struct.pack('>q', v)
        elif t == 'f': data += struct.pack('>f', v)
        elif t == 'd': data += struct.pack('>d', v)
        elif t in 'sS': data += s(v)
        elif t == 'b': data += struct.pack('>i', len(v)) + v + b'\0' * (-len(v) % 4)
        elif t in 'cm': data += struct.pack('>I', v)
        elif t == 't': data += struct.pack('>Q', v)
        elif t in 'TFNI': pass
        else: raise ValueError(t)
    return s(address) + s(tags) + data

def bundle(*elems, tt=1):
    b = s('#bundle') + struct.pack('>Q', tt)
    for e in elems:
        b += struct.pack('>i', len(e)) + e
    return b

P = '/showcaller/'
seeds = {
    # Every command in the table, in its usual forms.
    'go': msg(P + 'go'),
    'back': msg(P + 'back'),
    'goto': msg(P + 'goto', ('s', 'weather')),
    'goto-symbol': msg(P + 'goto', ('S', 'pkg-council')),
    'skip': msg(P + 'skip', ('s', 'headlines')),
    'skip-off': msg(P + 'skip', ('s', 'headlines'), ('F', None)),
    'hold': msg(P + 'hold'),
    'resume': msg(P + 'resume'),
    'add-int': msg(P + 'add', ('i', 30)),
    'add-float': msg(P + 'add', ('f', -10.5)),
    'add-double': msg(P + 'add', ('d', 1.25)),
    'add-int64': msg(P + 'add', ('h', -5)),
    'fire': msg(P + 'fire', ('s', 'open-preview')),
    'panic': msg(P + 'panic'),
    'message': msg(P + 'message', ('s', 'WRAP')),
    'message-color': msg(P + 'message', ('s', 'WRAP'), ('s', '#ff0000')),
    'message-utf8': msg(P + 'message', ('s', 'Schlu\u00df \u2014 30 s'), ('s', 'red')),
    'clear_message': msg(P + 'clear_message'),
    'rehearsal-true': msg(P + 'rehearsal', ('T', None)),
    'rehearsal-int': msg(P + 'rehearsal', ('i', 0)),
    'reload': msg(P + 'reload'),
    'subscribe': msg(P + 'subscribe'),
    'unsubscribe': msg(P + 'unsubscribe'),
    'other-address': msg('/atem/cut', ('i', 3)),
    # Refusals: unknown names, wrong and unsupported types, too many, too long.
    'unknown': msg(P + 'explode'),
    'pattern': msg(P + '*'),
    'empty-name': msg(P),
    'goto-int': msg(P + 'goto', ('i', 3)),
    'goto-nil': msg(P + 'goto', ('N', None)),
    'message-blob': msg(P + 'message', ('b', b'\x01\x02\x03')),
    'fire-char': msg(P + 'fire', ('c', ord('x'))),
    'add-midi-timetag-inf': msg(P + 'add', ('m', 0x90407f00), ('t', 1), ('I', None)),
    'go-too-many': msg(P + 'go', *[('T', None)] * 9),
    'message-too-long': msg(P + 'message', ('s', 'x' * 300)),
    'goto-not-utf8': msg(P + 'goto', ('s', b'\xff\xfe')),
    'subscribe-arg': msg(P + 'subscribe', ('s', 'x')),
    # Bundles: plain, nested, empty, future time tag, mixed with others.
    'bundle': bundle(msg(P + 'hold'), msg(P + 'goto', ('s', 'weather'))),
    'bundle-nested': bundle(msg(P + 'go'), bundle(msg(P + 'message', ('s', 'x')), bundle(msg(P + 'panic')))),
    'bundle-empty': bundle(),
    'bundle-future': bundle(msg(P + 'resume'), tt=(0xe0000000 << 32)),
    'bundle-mixed': bundle(msg('/atem/cut'), msg(P + 'subscribe'), msg(P + 'nope'), msg(P + 'add', ('f', 2.5))),
    'bundle-deep': (lambda: (lambda f: f(f, 8))(lambda f, d: bundle(msg(P + 'go')) if d == 1 else bundle(f(f, d - 1))))(),
    # Broken frames and messages liblo cannot read.
    'no-typetag': s(P + 'go'),
    'typetag-no-comma': s(P + 'go') + s('s') + s('x'),
    'typetag-unknown': msg(P + 'add')[:-4] + s(',x') + struct.pack('>i', 5),
    'string-missing': s(P + 'goto') + s(',s'),
    'string-unterminated': s(P + 'goto') + s(',s') + b'abcd',
    'int-short': s(P + 'add') + s(',i') + b'\0\0',
    'trailing-bytes': msg(P + 'go') + b'\0\0\0\0',
    'address-unpadded': (P + 'go').encode() + b'\0x\0\0' + s(','),
    'truncated-address': (P + 'goto').encode(),
    'truncated-message': msg(P + 'message', ('s', 'WRAP'), ('s', 'red'))[:-3],
    'bundle-truncated-timetag': s('#bundle') + b'\0\0\0',
    'bundle-element-too-long': s('#bundle') + struct.pack('>Q', 1) + struct.pack('>i', 1000) + msg(P + 'go'),
    'bundle-element-odd': s('#bundle') + struct.pack('>Q', 1) + struct.pack('>i', 18) + msg(P + 'go') + b'\0\0',
    'bundle-element-negative': s('#bundle') + struct.pack('>Q', 1) + struct.pack('>i', -4) + msg(P + 'go'),
    'bundle-bad-element': bundle(msg(P + 'hold'), s(P + 'go') + s(',s')),
    'bundle-too-deep': (lambda: (lambda f: f(f, 9))(lambda f, d: bundle(msg(P + 'go')) if d == 1 else bundle(f(f, d - 1))))(),
    'bundle-too-many': bundle(*[msg(P + 'hold')] * 33),
    'garbage': bytes(range(7, 47)),
    'empty': b'',
}
for name, data in seeds.items():
    with open(os.path.join(out, name + '.osc'), 'wb') as f:
        f.write(data)
print(len(seeds), 'seeds in', out)
