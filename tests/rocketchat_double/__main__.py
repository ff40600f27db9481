# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the double: python -m rocketchat_double --port 0 --port-file PATH (with tests/ on sys.path)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading

from .server import make_redirect_front, make_server, watch_idle


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog='rocketchat_double', description=__doc__)
    parser.add_argument('--port', type=int, default=0, help='TCP port on 127.0.0.1; 0 picks a free one')
    parser.add_argument('--port-file', help='write {"port": N, "url": ..., "pid": N} here once listening')
    parser.add_argument('--idle-timeout', type=float, default=600.0, help='stop after this many idle seconds')
    parser.add_argument('--state-file', help='keep state in this JSON file (loaded at start, written on change)')
    parser.add_argument('--dialect', choices=('v-a', 'v-b', 'v-c'), default='v-b', help='dialect: v-a = 6.4+, v-b = 7.x, v-c = 8.x')
    parser.add_argument('--tls-cert', help='serve HTTPS with this certificate (PEM)')
    parser.add_argument('--tls-key', help='private key for --tls-cert (PEM)')
    parser.add_argument('--request-schemas', help='check requests with Rocket.Chat\'s own validators fetched into this '
                        'directory by tests/utils/fetch_request_schemas.py (needs Node.js)')
    parser.add_argument('--redirect-status', type=int, choices=(301, 308),
                        help='also listen on another port over plain HTTP and redirect every request to this server '
                             '(an http -> https front); its URL is redirect_url in the port file')
    parser.add_argument('--latency-ms', type=float, default=0.0,
                        help='delay every API answer by this many milliseconds (half before, half after the work), to '
                             'stand for a real network; the control call POST latency {"ms": N} changes it')
    parser.add_argument('--parent-pid', type=int, help='stop when this process is gone (a test run that was killed)')
    args = parser.parse_args(argv)

    server = make_server(args.port, args.state_file, args.idle_timeout, args.tls_cert, args.tls_key, args.dialect,
                         args.request_schemas, args.latency_ms)
    port = server.server_address[1]
    scheme = 'https' if args.tls_cert else 'http'
    info = {'port': port, 'url': '%s://127.0.0.1:%d' % (scheme, port), 'pid': os.getpid()}
    if args.redirect_status:
        front = make_redirect_front(info['url'], args.redirect_status)
        info['redirect_url'] = 'http://127.0.0.1:%d' % front.server_address[1]
        threading.Thread(target=front.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True).start()
    if args.port_file:
        temp_path = args.port_file + '.tmp'
        with open(temp_path, 'w', encoding='utf-8') as handle:
            json.dump(info, handle)
        os.replace(temp_path, args.port_file)
    threading.Thread(target=watch_idle, args=(server, args.parent_pid), daemon=True).start()
    sys.stdout.write('rocketchat double listening on %s://127.0.0.1:%d\n' % (scheme, port))
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if server.state.request_schemas is not None:  # type: ignore[attr-defined]
            server.state.request_schemas.close()  # type: ignore[attr-defined]
    return 0


if __name__ == '__main__':
    sys.exit(main())
