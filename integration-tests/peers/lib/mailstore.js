// Shared helpers for the SMTP peers: store received messages as .eml files plus one JSON line each,
// and run a plain (non-DSN) receiving SMTP server on 127.0.0.1.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { SMTPServer } = require('smtp-server');

const HOST = '127.0.0.1';

// The header block of a raw message (up to the first empty line), unfolded values by lower-case name.
function headerBlock(raw) {
    const text = raw.toString('latin1');
    const m = /\r?\n\r?\n/.exec(text);
    return m ? text.slice(0, m.index + m[0].length) : text;
}

function headerValue(raw, name) {
    const block = headerBlock(raw).replace(/\r?\n[ \t]+/g, ' ');
    const re = new RegExp('^' + name.replace(/[-]/g, '\\-') + ':[ \\t]*(.*)$', 'im');
    const m = re.exec(block);
    return m ? Buffer.from(m[1].trim(), 'latin1').toString('utf8') : null;
}

// RFC 3461 xtext: characters outside "!".."~", "+" and "=" as +XX
function xtextEncode(value) {
    return Array.from(Buffer.from(String(value), 'utf8'))
        .map(b => (b < 33 || b > 126 || b === 0x2b || b === 0x3d ? '+' + b.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(b)))
        .join('');
}

function compactTimestamp(d) {
    // 20261201T231922.778Z: sorts like arrival order and is safe in file names
    return d.toISOString().replace(/[-:]/g, '');
}

class MailStore {
    constructor(logDir, jsonlName) {
        this.logDir = logDir;
        this.jsonl = path.join(logDir, jsonlName);
        this.counter = 0;
        fs.mkdirSync(logDir, { recursive: true });
    }

    // Writes raw to LOG_DIR/<timestamp>-<counter>-<id>.eml (written whole, then renamed into place
    // so a reader never sees half a file), then appends the JSON line; returns the entry.
    save(raw, fields, receivedAt, subdir) {
        this.counter += 1;
        const id = fields.queue_id || crypto.randomBytes(5).toString('hex').toUpperCase();
        const dir = subdir ? path.join(this.logDir, subdir) : this.logDir;
        fs.mkdirSync(dir, { recursive: true });
        const name = `${compactTimestamp(receivedAt)}-${String(this.counter).padStart(6, '0')}-${id}.eml`;
        const file = path.join(dir, name);
        fs.writeFileSync(file + '.tmp', raw);
        fs.renameSync(file + '.tmp', file);
        const entry = Object.assign({ file }, fields, {
            size: raw.length,
            message_id: headerValue(raw, 'Message-ID'),
            subject: headerValue(raw, 'Subject'),
            received_at: receivedAt.toISOString()
        });
        fs.appendFileSync(this.jsonl, JSON.stringify(entry) + '\n');
        return entry;
    }
}

function readStream(stream, cb) {
    const chunks = [];
    stream.on('data', c => chunks.push(c));
    stream.on('end', () => cb(Buffer.concat(chunks)));
}

// A plain receiving SMTP server without DSN: every message goes to LOG_DIR as .eml plus a line in
// LOG_DIR/<jsonlName>. No AUTH, no STARTTLS, any sender (also the null sender <>), any recipient;
// DSN parameters (RET, ENVID, NOTIFY, ORCPT) are refused with 555 5.5.4, as by an MTA without DSN.
function startPlainReceiver({ port, logDir, jsonlName, label, banner }) {
    const store = new MailStore(logDir, jsonlName);
    const server = new SMTPServer({
        name: 'sink.test',
        banner: banner || 'inkseal test SMTP sink',
        hideDSN: true,
        hideSTARTTLS: true,
        disabledCommands: ['AUTH', 'STARTTLS'],
        authOptional: true,
        disableReverseLookup: true,
        logger: false,
        // Like Postfix without DSN: DSN parameters are refused with 555 (aiosmtpd does the same).
        onMailFrom(address, session, callback) {
            callback(refuseParams(address, ['RET', 'ENVID']));
        },
        onRcptTo(address, session, callback) {
            callback(refuseParams(address, ['NOTIFY', 'ORCPT']));
        },
        onData(stream, session, callback) {
            readStream(stream, raw => {
                const queueId = crypto.randomBytes(5).toString('hex').toUpperCase();
                store.save(raw, {
                    queue_id: queueId,
                    mail_from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                    rcpt_to: session.envelope.rcptTo.map(r => r.address)
                }, new Date());
                callback(null, `Ok: queued as ${queueId}`);
            });
        }
    });
    listen(server, port, label);
    return server;
}

function refuseParams(address, names) {
    const args = address.args || {};
    const found = names.find(n => args[n] !== undefined);
    if (!found) {
        return null;
    }
    const err = new Error(`5.5.4 Unsupported option: ${found}=${args[found]}`);
    err.responseCode = 555;
    return err;
}

function listen(server, port, label) {
    server.on('error', e => {
        console.error(`${label} error:`, e.message);
    });
    server.server.on('error', e => {
        console.error(`${label} listen error:`, e.message);
        process.exit(1);
    });
    server.listen(Number(port), HOST, () => {
        console.log(`${label} listening on ${HOST}:${server.server.address().port}`);
    });
    const shutdown = () => {
        server.close(() => process.exit(0));
        setTimeout(() => process.exit(0), 1000).unref();
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
}

module.exports = { HOST, MailStore, readStream, startPlainReceiver, listen, headerBlock, headerValue, xtextEncode };
