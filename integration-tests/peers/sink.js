#!/usr/bin/env node
// Plain SMTP sink (no DSN extension: smtp-server with hideDSN) for inkseal's integration tests
// and the mail benchmark.
//
//   node sink.js PORT LOG_DIR
//
// Binds to 127.0.0.1 only (PORT 0 picks a free port). Prints "SMTP sink listening on 127.0.0.1:PORT"
// when ready. Accepts every sender and recipient; each message is written to LOG_DIR as
// <timestamp>-<n>-<queue id>.eml and described by one JSON line in LOG_DIR/sink.jsonl
// (file, queue_id, mail_from, rcpt_to, size, message_id, subject, received_at).
// DSN parameters on MAIL/RCPT are refused (555), as by any MTA that does not advertise DSN.
'use strict';

const { startPlainReceiver } = require('./lib/mailstore');

const [port, logDir] = process.argv.slice(2);
if (port === undefined || !logDir) {
    console.error('usage: node sink.js PORT LOG_DIR');
    process.exit(2);
}
startPlainReceiver({ port, logDir, jsonlName: 'sink.jsonl', label: 'SMTP sink', banner: 'inkseal test SMTP sink (no DSN)' });
