#!/usr/bin/env node
// Bounce inbox: where dsn-mx.js mails its delivery status reports (to the VERP envelope sender).
// Only for checking the MX's reports; the backend has its own SMTP receiver.
//
//   node bounce-inbox.js PORT LOG_DIR
//
// Binds to 127.0.0.1 only (PORT 0 picks a free port). Prints "Bounce inbox listening on
// 127.0.0.1:PORT" when ready. Each message (normally from the null sender <>) is written to LOG_DIR
// as <timestamp>-<n>-<queue id>.eml and described by one JSON line in LOG_DIR/inbox.jsonl
// (file, queue_id, mail_from, rcpt_to, size, message_id, subject, received_at).
'use strict';

const { startPlainReceiver } = require('./lib/mailstore');

const [port, logDir] = process.argv.slice(2);
if (port === undefined || !logDir) {
    console.error('usage: node bounce-inbox.js PORT LOG_DIR');
    process.exit(2);
}
startPlainReceiver({ port, logDir, jsonlName: 'inbox.jsonl', label: 'Bounce inbox', banner: 'inkseal test bounce inbox' });
