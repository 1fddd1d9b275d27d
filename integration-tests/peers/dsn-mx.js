#!/usr/bin/env node
// DSN-aware "remote MX" for inkseal's integration tests (smtp-server with the DSN extension,
// reports mailed with nodemailer).
//
//   node dsn-mx.js PORT INBOX_PORT [LOG_DIR]
//
// Binds to 127.0.0.1 only (PORT 0 picks a free port). Prints "DSN MX listening on 127.0.0.1:PORT"
// when ready. EHLO advertises DSN (RFC 3461: RET, ENVID on MAIL; NOTIFY, ORCPT on RCPT) and
// ENHANCEDSTATUSCODES; no AUTH, no STARTTLS.
//
// Recipients (see README.md):
//   *@invalid.test  -> refused at RCPT: 550 5.1.1 <addr>: Recipient address rejected: User unknown
//   bounce*@...     -> accepted, then an RFC 3464 failure report (Action: failed, Status: 5.1.1)
//                      unless NOTIFY=NEVER / NOTIFY without FAILURE
//   delay*@...      -> accepted, then "Action: delayed, Status: 4.4.7" only if NOTIFY has DELAY
//   anything else   -> accepted, then "Action: delivered, Status: 2.0.0" only if NOTIFY has SUCCESS
// Reports go DSN_MX_REPORT_DELAY_MS (default 300) ms after the message was accepted, from the null
// sender (MAIL FROM:<>) to the message's envelope sender, over SMTP to 127.0.0.1:INBOX_PORT.
// Messages from the null sender never get a report.
//
// Files in LOG_DIR (default ./dsn-mx-log):
//   <timestamp>-<n>-<queue id>.eml   each accepted message as received
//   mx.jsonl                         one JSON line per accepted message (envelope + DSN parameters)
//   reports/<...>.eml                each report as sent
//   dsn-reports.jsonl                one JSON line per report (to, action, recipients, result)
'use strict';

const crypto = require('crypto');
const nodemailer = require('nodemailer');
const { SMTPServer } = require('smtp-server');
const { HOST, MailStore, readStream, listen, headerBlock, xtextEncode } = require('./lib/mailstore');

const [port, inboxPort, logDirArg] = process.argv.slice(2);
if (port === undefined || inboxPort === undefined) {
    console.error('usage: node dsn-mx.js PORT INBOX_PORT [LOG_DIR]');
    process.exit(2);
}
const logDir = logDirArg || 'dsn-mx-log';
const REPORT_DELAY_MS = Number(process.env.DSN_MX_REPORT_DELAY_MS || 300);
const MTA = 'mx.test';

const store = new MailStore(logDir, 'mx.jsonl');
const reports = new MailStore(logDir, 'dsn-reports.jsonl');

const transport = nodemailer.createTransport({
    host: HOST,
    port: Number(inboxPort),
    secure: false,
    ignoreTLS: true,
    name: MTA,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10000
});

// ---- recipient classes -------------------------------------------------------------------------
function classify(address) {
    const at = address.lastIndexOf('@');
    const local = (at >= 0 ? address.slice(0, at) : address).toLowerCase();
    const domain = at >= 0 ? address.slice(at + 1).toLowerCase() : '';
    if (domain === 'invalid.test') return 'invalid';
    if (local.startsWith('bounce')) return 'failed';
    if (local.startsWith('delay')) return 'delayed';
    return 'delivered';
}

function wantsReport(action, notify) {
    // RFC 3461 4.1: without NOTIFY an MTA reports failures (and may report delays; this one does not)
    if (!notify || notify.length === 0) return action === 'failed';
    if (notify.includes('NEVER')) return false;
    return notify.includes({ failed: 'FAILURE', delayed: 'DELAY', delivered: 'SUCCESS' }[action]);
}

// ---- report text -------------------------------------------------------------------------------
function rfc5322Date(d) {
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const p = n => String(n).padStart(2, '0');
    return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
        `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 (UTC)`;
}

const ACTIONS = {
    failed: {
        subject: 'Undelivered Mail Returned to Sender',
        status: '5.1.1',
        diagnostic: addr => `smtp; 550 5.1.1 <${addr}>: Recipient address rejected: User unknown in virtual mailbox table`,
        intro: [
            `This is the mail system at host ${MTA}.`,
            '',
            "I'm sorry to have to inform you that your message could not",
            'be delivered to one or more recipients. It\'s attached below.',
            '',
            'For further assistance, please send mail to postmaster.',
            '',
            'If you do so, please include this problem report. You can',
            'delete your own text from the attached returned message.',
            '',
            '                   The mail system',
            ''
        ],
        line: addr => `<${addr}>: host ${MTA}[127.0.0.1] said: 550 5.1.1 <${addr}>: Recipient\n    address rejected: User unknown in virtual mailbox table (in reply to RCPT TO\n    command)`
    },
    delayed: {
        subject: 'Delayed Mail (still being retried)',
        status: '4.4.7',
        diagnostic: addr => `smtp; 451 4.4.7 <${addr}>: Message delivery delayed: remote server did not answer`,
        intro: [
            `This is the mail system at host ${MTA}.`,
            '',
            '####################################################################',
            '# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #',
            '####################################################################',
            '',
            'Your message could not be delivered for 4.0 hours.',
            'It will be retried until it is 5.0 days old.',
            '',
            'For further assistance, please send mail to postmaster.',
            '',
            'If you do so, please include this problem report. You can',
            'delete your own text from the attached returned message.',
            '',
            '                   The mail system',
            ''
        ],
        line: addr => `<${addr}>: delivery temporarily suspended: host ${MTA}[127.0.0.1] said:\n    451 4.4.7 Message delivery delayed: remote server did not answer`
    },
    delivered: {
        subject: 'Successful Mail Delivery Report',
        status: '2.0.0',
        diagnostic: () => 'smtp; 250 2.0.0 Ok: delivered to mailbox',
        intro: [
            `This is the mail system at host ${MTA}.`,
            '',
            'Your message was successfully delivered to the destination(s)',
            'listed below. If the message was delivered to mailbox you will',
            'receive no further notifications. Otherwise you may still receive',
            'notifications of mail delivery errors from other systems.',
            '',
            '                   The mail system',
            ''
        ],
        line: addr => `<${addr}>: delivered to mailbox`
    }
};

function buildReport({ action, recipients, msg }) {
    const a = ACTIONS[action];
    const now = new Date();
    const boundary = `${msg.queueId}.${now.getTime()}/${MTA}`;
    const reportId = crypto.randomBytes(6).toString('hex').toUpperCase();
    const CRLF = '\r\n';
    const lines = [];
    lines.push(`Date: ${rfc5322Date(now)}`);
    lines.push(`From: MAILER-DAEMON@${MTA} (Mail Delivery System)`);
    lines.push(`Subject: ${a.subject}`);
    lines.push(`To: <${msg.mailFrom}>`);
    lines.push('Auto-Submitted: auto-replied');
    lines.push(`Message-Id: <${reportId}.${now.getTime()}@${MTA}>`);
    lines.push('MIME-Version: 1.0');
    lines.push('Content-Type: multipart/report; report-type=delivery-status;');
    lines.push(`\tboundary="${boundary}"`);
    lines.push('Content-Transfer-Encoding: 8bit');
    lines.push('');
    lines.push('This is a MIME-encapsulated message.');
    lines.push('');
    // 1. human-readable part (Postfix style)
    lines.push(`--${boundary}`);
    lines.push('Content-Description: Notification');
    lines.push('Content-Type: text/plain; charset=us-ascii');
    lines.push('');
    lines.push(...a.intro);
    for (const r of recipients) {
        const orig = r.orcptAddress && r.orcptAddress.toLowerCase() !== r.address.toLowerCase() ? ` (expanded from <${r.orcptAddress}>)` : '';
        lines.push(...a.line(r.address).replace(/^<([^>]*)>:/, `<$1>${orig}:`).split('\n'));
        lines.push('');
    }
    // 2. machine-readable part (RFC 3464)
    lines.push(`--${boundary}`);
    lines.push('Content-Description: Delivery report');
    lines.push('Content-Type: message/delivery-status');
    lines.push('');
    lines.push(`Reporting-MTA: dns; ${MTA}`);
    lines.push(`X-Postfix-Queue-ID: ${msg.queueId}`);
    lines.push(`X-Postfix-Sender: rfc822; ${msg.mailFrom}`);
    if (msg.envid) {
        lines.push(`Original-Envelope-Id: ${xtextEncode(msg.envid)}`);
    }
    lines.push(`Arrival-Date: ${rfc5322Date(msg.receivedAt)}`);
    for (const r of recipients) {
        lines.push('');
        lines.push(`Final-Recipient: rfc822; ${r.address}`);
        if (r.orcpt) {
            const i = r.orcpt.indexOf(';');
            lines.push(`Original-Recipient: ${r.orcpt.slice(0, i)}; ${xtextEncode(r.orcpt.slice(i + 1))}`);
        }
        lines.push(`Action: ${action}`);
        lines.push(`Status: ${a.status}`);
        lines.push(`Remote-MTA: dns; ${MTA}`);
        lines.push(`Diagnostic-Code: ${a.diagnostic(r.address)}`);
        if (action === 'delayed') {
            lines.push(`Will-Retry-Until: ${rfc5322Date(new Date(msg.receivedAt.getTime() + 5 * 86400 * 1000))}`);
        }
    }
    lines.push('');
    // 3. the returned message: RET applies to failure reports (RFC 3461 4.3); success and delay
    //    reports carry only the headers, as Postfix does. Without RET, failures return the full message.
    const full = action === 'failed' && msg.ret !== 'HDRS';
    lines.push(`--${boundary}`);
    if (full) {
        lines.push('Content-Description: Undelivered Message');
        lines.push('Content-Type: message/rfc822');
        lines.push('Content-Transfer-Encoding: 8bit');
    } else {
        lines.push(`Content-Description: ${action === 'delivered' ? 'Delivered' : 'Undelivered'} Message Headers`);
        lines.push('Content-Type: text/rfc822-headers');
        lines.push('Content-Transfer-Encoding: 8bit');
    }
    lines.push('');
    const head = Buffer.from(lines.join(CRLF) + CRLF, 'utf8');
    let returned = full ? msg.raw : Buffer.from(headerBlock(msg.raw).replace(/(\r?\n)+$/, ''), 'latin1');
    returned = Buffer.from(returned.toString('latin1').replace(/\r?\n/g, CRLF), 'latin1');
    const tail = Buffer.from((returned.slice(-2).toString() === CRLF ? '' : CRLF) + CRLF + `--${boundary}--` + CRLF, 'latin1');
    return Buffer.concat([head, returned, tail]);
}

async function sendReport(action, recipients, msg) {
    const raw = buildReport({ action, recipients, msg });
    const fields = {
        queue_id: msg.queueId,
        action,
        mail_from: '',
        rcpt_to: [msg.mailFrom],
        envid: msg.envid,
        recipients: recipients.map(r => ({ address: r.address, orcpt: r.orcpt || null, notify: r.notify || null }))
    };
    let lastError = null;
    for (let attempt = 1; attempt <= 5; attempt++) {
        try {
            const info = await transport.sendMail({ envelope: { from: false, to: [msg.mailFrom] }, raw });
            reports.save(raw, Object.assign(fields, { sent: true, attempts: attempt, response: info.response }), new Date(), 'reports');
            console.log(`DSN MX: ${action} report for ${msg.queueId} sent to <${msg.mailFrom}>: ${info.response}`);
            return;
        } catch (e) {
            lastError = e;
            await new Promise(r => setTimeout(r, 500 * attempt));
        }
    }
    reports.save(raw, Object.assign(fields, { sent: false, error: String(lastError && lastError.message) }), new Date(), 'reports');
    console.error(`DSN MX: could not send ${action} report for ${msg.queueId}: ${lastError && lastError.message}`);
}

function scheduleReports(msg) {
    if (!msg.mailFrom) {
        return; // never answer a message from the null sender
    }
    const groups = { failed: [], delayed: [], delivered: [] };
    for (const r of msg.recipients) {
        if (wantsReport(r.class, r.notify)) {
            groups[r.class].push(r);
        }
    }
    setTimeout(() => {
        for (const action of ['failed', 'delayed', 'delivered']) {
            if (groups[action].length) {
                sendReport(action, groups[action], msg).catch(e => console.error('DSN MX report error:', e));
            }
        }
    }, REPORT_DELAY_MS);
}

// ---- the server ----------------------------------------------------------------------------------
const server = new SMTPServer({
    name: MTA,
    banner: 'ESMTP inkseal test MX (DSN)',
    hideDSN: false,
    hideENHANCEDSTATUSCODES: false,
    hideSTARTTLS: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, session, callback) {
        if (classify(address.address) === 'invalid') {
            const reply = `<${address.address}>: Recipient address rejected: User unknown`;
            session.envelope.rejected = (session.envelope.rejected || []).concat([{ address: address.address, reply: `550 5.1.1 ${reply}` }]);
            const err = new Error(reply);
            err.responseCode = 550; // the server adds the enhanced code 5.1.1 for 550
            return callback(err);
        }
        callback();
    },
    onData(stream, session, callback) {
        readStream(stream, raw => {
            const receivedAt = new Date();
            const queueId = crypto.randomBytes(5).toString('hex').toUpperCase();
            const env = session.envelope;
            const dsn = env.dsn || {};
            const recipients = env.rcptTo.map(r => {
                const orcpt = r.dsn && r.dsn.orcpt ? r.dsn.orcpt : null;
                return {
                    address: r.address,
                    notify: r.dsn && r.dsn.notify ? r.dsn.notify : null,
                    orcpt,
                    orcptAddress: orcpt ? orcpt.slice(orcpt.indexOf(';') + 1) : null,
                    class: classify(r.address)
                };
            });
            const msg = {
                queueId,
                raw,
                receivedAt,
                mailFrom: env.mailFrom ? env.mailFrom.address : '',
                ret: dsn.ret || null,
                envid: dsn.envid || null,
                recipients
            };
            store.save(raw, {
                queue_id: queueId,
                mail_from: msg.mailFrom,
                ret: msg.ret,
                envid: msg.envid,
                recipients: recipients.map(r => ({ address: r.address, notify: r.notify, orcpt: r.orcpt, outcome: r.class })),
                rejected: env.rejected || []
            }, receivedAt);
            callback(null, `Ok: queued as ${queueId}`);
            scheduleReports(msg);
        });
    }
});
listen(server, port, 'DSN MX');
