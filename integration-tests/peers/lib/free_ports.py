#!/usr/bin/env python3
"""Print N distinct free TCP ports on 127.0.0.1, one per line.

Ports are drawn at random from 20000-32767, below Linux's ephemeral range (32768-60999), so an
outgoing connection cannot take one between this check and the peer binding it. Each is checked
by binding it on 127.0.0.1 and by connecting to it (nothing may answer); all are held together
so the N ports are distinct, and released when the script exits, just before the peers bind them.
"""
import random
import socket
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1
held, ports = [], []
for port in random.sample(range(20000, 32768), 500):
    if len(ports) == n:
        break
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.settimeout(0.2)
    try:
        if probe.connect_ex(('127.0.0.1', port)) == 0:
            continue  # something answers there
    finally:
        probe.close()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(('127.0.0.1', port))
    except OSError:
        s.close()
        continue
    held.append(s)
    ports.append(port)
if len(ports) < n:
    sys.exit('free_ports.py: found only %d free ports' % len(ports))
for p in ports:
    print(p)
for s in held:
    s.close()
