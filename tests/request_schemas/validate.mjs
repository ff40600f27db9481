// Copyright (c) 2026 chatops.rocketchat contributors
// GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Validates requests with the validators Rocket.Chat itself compiles (@rocket.chat/rest-typings), one line of JSON
// in, one line out, for as long as standard input stays open:
//
//   node validate.mjs SCHEMAS_DIR
//   in:  {"line": "8", "endpoint": "integrations.create", "data": {...}}
//   out: {"ok": true, "data": <the data as the validator left it: Rocket.Chat's Ajv may coerce types>} | {"ok": false, "query": false, "messages": ["must have required property 'type'", ...]}
//        | {"ok": true, "unchecked": true} when that release has no validator for the endpoint
//
// SCHEMAS_DIR holds rest-typings-<line>/v1/ as tests/utils/fetch_request_schemas.py extracts it.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

const schemasDir = process.argv[2];
// endpoint -> [file, export, is the data a query string]
// (files under v1/)
const VALIDATORS = {
  'integrations.create': ['integrations/IntegrationsCreateProps', 'isIntegrationsCreateProps', false],
  'integrations.update': ['integrations/IntegrationsUpdateProps', 'isIntegrationsUpdateProps', false],
  'integrations.remove': ['integrations/IntegrationsRemoveProps', 'isIntegrationsRemoveProps', false],
  'integrations.get': ['integrations/IntegrationsGetProps', 'isIntegrationsGetProps', true],
  'integrations.list': ['integrations/IntegrationsListProps', 'isIntegrationsListProps', true],
  'integrations.history': ['integrations/IntegrationsHistoryProps', 'isIntegrationsHistoryProps', true],
  'users.info': ['users/UsersInfoParamsGet', 'isUsersInfoParamsGetProps', true],
  'rooms.info': ['rooms', 'isRoomsInfoProps', true],
  'chat.postMessage': ['chat', 'isChatPostMessageProps', false],
};
const loaded = new Map();

async function validator(line, endpoint) {
  const key = `${line} ${endpoint}`;
  if (!loaded.has(key)) {
    const [file, name] = VALIDATORS[endpoint];
    const where = path.join(schemasDir, `rest-typings-${line}`, 'v1', `${file}.js`);
    // A release without the file has no validator for that endpoint (6.x has none for integrations.list).
    loaded.set(key, fs.existsSync(where) ? (await import(pathToFileURL(where).href))[name] : null);
  }
  return loaded.get(key);
}

const input = readline.createInterface({ input: process.stdin });
for await (const text of input) {
  let answer;
  try {
    const request = JSON.parse(text);
    const validate = VALIDATORS[request.endpoint] ? await validator(request.line, request.endpoint) : null;
    if (!validate) {
      answer = { ok: true, unchecked: true };
    } else if (validate(request.data)) {
      answer = { ok: true, data: request.data };
    } else {
      answer = { ok: false, query: VALIDATORS[request.endpoint][2], messages: validate.errors.map((e) => e.message) };
    }
  } catch (error) {
    answer = { ok: false, crashed: true, messages: [String(error && error.stack || error)] };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
