#!/usr/bin/env node
// SMPP 3.4 SMS centre (SMSC) simulator for inkseal's integration tests, built on node-smpp.
//
//   node smsc.js PORT SYSTEM_ID PASSWORD [LOG_DIR]
//
// SYSTEM_ID may be a comma-separated list of accounts (all with PASSWORD), e.g. "inkseal,inkseal-kannel",
// so that two ESMEs (the tests and Kannel) each get the receipts of their own account.
// Binds to 127.0.0.1 only (PORT 0 picks a free port; the ready line tells which).
// Prints "SMSC listening on 127.0.0.1:PORT" when ready.
//
// Behaviour (see README.md):
//   bind_transceiver / bind_transmitter / bind_receiver  -> checked against SYSTEM_ID/PASSWORD,
//                                                          wrong ones get ESME_RBINDFAIL and the
//                                                          connection is closed
//   submit_sm, destination ending in 9                   -> submit_sm_resp ESME_RSUBMITFAIL (refused)
//   submit_sm, otherwise                                 -> submit_sm_resp with a unique hex message_id;
//     with registered_delivery, after SMSC_DLR_DELAY_MS (default 300 ms) a delivery receipt
//     (deliver_sm, esm_class 0x04, Appendix B text, receipted_message_id + message_state TLVs):
//       destination ending in 0 -> stat:UNDELIV err:001 (message_state 5)
//       any other               -> stat:DELIVRD err:000 (message_state 2)
//   enquire_link -> enquire_link_resp, unbind -> unbind_resp and close
//
// Files in LOG_DIR (created if missing):
//   sms.jsonl           one JSON line per received submit_sm (accepted or refused)
//   sms-receipts.jsonl  one JSON line per delivery receipt sent (or queued for a later receiver)
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const smpp = require('smpp');

const [portArg, systemIdArg, password, logDir] = process.argv.slice(2);
if (portArg === undefined || systemIdArg === undefined || password === undefined) {
    console.error('usage: node smsc.js PORT SYSTEM_ID PASSWORD [LOG_DIR]');
    process.exit(2);
}
const systemIds = new Set(systemIdArg.split(',').filter(Boolean));
const DLR_DELAY_MS = Number(process.env.SMSC_DLR_DELAY_MS || 300);
const HOST = '127.0.0.1';

// Keep short_message bytes raw: node-smpp would otherwise decode them with its own
// guess (it maps data_coding 1 to GSM, for example). We decode below per SMPP 3.4 5.2.19,
// and every PDU this SMSC sends carries a Buffer, so nothing needs node-smpp's encoders.
for (const key of Object.keys(smpp.encodings)) {
    delete smpp.encodings[key];
}

let smsLog = null;
let receiptLog = null;
if (logDir) {
    fs.mkdirSync(logDir, { recursive: true });
    smsLog = path.join(logDir, 'sms.jsonl');
    receiptLog = path.join(logDir, 'sms-receipts.jsonl');
}

function appendJsonLine(file, obj) {
    const line = JSON.stringify(obj);
    console.log(line);
    if (file) {
        fs.appendFileSync(file, line + '\n');
    }
}

// ---- message ids -----------------------------------------------------------------------
// 16 lowercase hex digits: 8 random per process start + an 8-digit counter, so ids stay
// unique across restarts of the simulator and never look like plain decimal numbers.
const idPrefix = crypto.randomBytes(4).toString('hex');
let idCounter = 0;
function nextMessageId() {
    idCounter += 1;
    return idPrefix + idCounter.toString(16).padStart(8, '0');
}

// ---- decoding ------------------------------------------------------------------------------
function decodeText(buf, dataCoding) {
    if (!Buffer.isBuffer(buf)) {
        return { text: null, encoding: 'none' };
    }
    const dc = dataCoding || 0;
    if ((dc & 0xF0) === 0xF0) {
        // GSM message class coding group: bit 2 = 8-bit data, otherwise GSM 7-bit default alphabet
        return (dc & 0x04) ? { text: null, encoding: 'binary' } : { text: smpp.gsmCoder.decode(buf, 0x00), encoding: 'gsm7' };
    }
    switch (dc) {
        case 0x00: return { text: smpp.gsmCoder.decode(buf, 0x00), encoding: 'gsm7' };
        case 0x01: return { text: buf.toString('latin1'), encoding: 'ia5' };
        case 0x03: return { text: buf.toString('latin1'), encoding: 'latin1' };
        case 0x08: {
            // UCS-2 big-endian (decoded as UTF-16BE so surrogate pairs survive too)
            const even = buf.length - (buf.length % 2);
            const swapped = Buffer.from(buf.subarray(0, even));
            swapped.swap16();
            return { text: swapped.toString('utf16le'), encoding: 'ucs2' };
        }
        default: return { text: null, encoding: 'binary' };
    }
}

function messageBody(pdu) {
    // short_message comes as {message: Buffer, udh?: [Buffer]} (node-smpp splits off the UDH
    // when esm_class has UDHI); message_payload TLV is used when short_message is empty.
    let sm = pdu.short_message;
    if (sm && !Buffer.isBuffer(sm) && Buffer.isBuffer(sm.message) && sm.message.length === 0 && pdu.message_payload) {
        sm = pdu.message_payload;
    } else if ((!sm || (Buffer.isBuffer(sm) && sm.length === 0)) && pdu.message_payload) {
        sm = pdu.message_payload;
    }
    if (Buffer.isBuffer(sm)) {
        return { bytes: sm, udh: null };
    }
    if (sm && Buffer.isBuffer(sm.message)) {
        const udh = sm.udh && sm.udh.length ? Buffer.concat(sm.udh) : null;
        return { bytes: sm.message, udh };
    }
    return { bytes: Buffer.alloc(0), udh: null };
}

// Appendix B "text:" field: first 20 characters of the message, kept to characters that are
// the same in ASCII and the GSM default alphabet (diacritics stripped, others become '?').
function receiptText(text) {
    if (!text) {
        return '';
    }
    const plain = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    return Array.from(plain).slice(0, 20).map(c => (/^[A-Za-z0-9 .,:;!?'"()*+\-\/=<>#%&]$/.test(c) ? c : '?')).join('');
}

function smppDate(d) {
    const p = n => String(n).padStart(2, '0');
    return p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes());
}

// ---- sessions --------------------------------------------------------------------------------
const boundSessions = new Set(); // bound sessions, in bind order
const pendingReceipts = []; // receipts waiting for a receiver/transceiver of the same system_id

function canReceive(session) {
    return session.bound && (session.bindMode === 'bind_transceiver' || session.bindMode === 'bind_receiver') && !session.closed;
}

// A receipt goes back on the session that submitted the message when that one can receive
// (transceiver); otherwise to a session of the same system_id that can, preferring receivers
// (the other half of a transmitter + receiver pair) and the most recently bound; with none bound,
// it waits until one binds (store and forward, as a real SMSC does).
function deliverReceipt(receipt, preferred) {
    let target = preferred && canReceive(preferred) ? preferred : null;
    if (!target) {
        const candidates = Array.from(boundSessions).filter(s => canReceive(s) && s.systemId === receipt.systemId).reverse();
        target = candidates.find(s => s.bindMode === 'bind_receiver') || candidates[0] || null;
    }
    if (!target) {
        pendingReceipts.push(receipt);
        appendJsonLine(receiptLog, Object.assign({}, receipt.log, { sent: false, queued: true, at: new Date().toISOString() }));
        return;
    }
    target.deliver_sm(receipt.pdu, resp => {
        appendJsonLine(receiptLog, Object.assign({}, receipt.log, {
            sent: true,
            deliver_sm_resp_status: resp.command_status,
            at: new Date().toISOString()
        }));
    });
}

function flushPending(session) {
    for (let i = 0; i < pendingReceipts.length;) {
        if (pendingReceipts[i].systemId === session.systemId && canReceive(session)) {
            const [receipt] = pendingReceipts.splice(i, 1);
            deliverReceipt(receipt, session);
        } else {
            i += 1;
        }
    }
}

function scheduleReceipt(session, submit, messageId, submittedAt, decodedText) {
    const undeliverable = /0$/.test(submit.destination_addr);
    const rd = (submit.registered_delivery || 0) & 0x03;
    // SMPP 3.4 5.2.17: 01 = receipt on success or failure, 10 = receipt on failure only
    if (rd === 0 || rd === 3 || (rd === 2 && !undeliverable)) {
        return;
    }
    setTimeout(() => {
        const done = new Date();
        const stat = undeliverable ? 'UNDELIV' : 'DELIVRD';
        const err = undeliverable ? '001' : '000';
        const dlvrd = undeliverable ? '000' : '001';
        const text = `id:${messageId} sub:001 dlvrd:${dlvrd} submit date:${smppDate(submittedAt)} done date:${smppDate(done)} stat:${stat} err:${err} text:${receiptText(decodedText)}`;
        const pdu = new smpp.PDU('deliver_sm', {
            service_type: '',
            source_addr_ton: submit.dest_addr_ton,
            source_addr_npi: submit.dest_addr_npi,
            source_addr: submit.destination_addr,
            dest_addr_ton: submit.source_addr_ton,
            dest_addr_npi: submit.source_addr_npi,
            destination_addr: submit.source_addr,
            esm_class: 0x04,
            data_coding: 0x00,
            short_message: Buffer.from(text, 'latin1'),
            receipted_message_id: messageId,
            message_state: undeliverable ? 5 : 2
        });
        if (submit.user_message_reference !== undefined) {
            pdu.user_message_reference = submit.user_message_reference;
        }
        deliverReceipt({
            systemId: session.systemId,
            pdu,
            log: {
                message_id: messageId,
                source: submit.destination_addr,
                destination: submit.source_addr,
                stat,
                err,
                message_state: undeliverable ? 5 : 2,
                text
            }
        }, session);
    }, DLR_DELAY_MS);
}

function handleSession(session) {
    session.bound = false;
    session.closed = false;
    session.on('error', e => {
        console.error('SMSC session error:', e.message);
    });
    session.on('close', () => {
        session.closed = true;
        boundSessions.delete(session);
    });

    const onBind = pdu => {
        if (session.bound) {
            session.send(pdu.response({ command_status: smpp.ESME_RALYBND }));
            return;
        }
        if (!systemIds.has(pdu.system_id) || pdu.password !== password) {
            console.log(`SMSC ${pdu.command} refused for system_id=${JSON.stringify(pdu.system_id)}`);
            session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
            session.close();
            return;
        }
        session.bound = true;
        session.bindMode = pdu.command;
        session.systemId = pdu.system_id;
        boundSessions.add(session);
        console.log(`SMSC ${pdu.command} ok system_id=${pdu.system_id} interface_version=0x${(pdu.interface_version || 0).toString(16)}`);
        session.send(pdu.response({ system_id: 'INKSEAL-SMSC', sc_interface_version: 0x34 }));
        flushPending(session);
    };
    session.on('bind_transceiver', onBind);
    session.on('bind_transmitter', onBind);
    session.on('bind_receiver', onBind);

    session.on('submit_sm', pdu => {
        if (!session.bound || session.bindMode === 'bind_receiver') {
            session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
            return;
        }
        const receivedAt = new Date();
        const body = messageBody(pdu);
        const decoded = decodeText(body.bytes, pdu.data_coding);
        const refused = /9$/.test(pdu.destination_addr || '');
        const messageId = refused ? null : nextMessageId();
        const entry = {
            message_id: messageId,
            status: refused ? 'refused' : 'accepted',
            command_status: refused ? smpp.ESME_RSUBMITFAIL : 0,
            system_id: session.systemId,
            source: pdu.source_addr,
            source_ton: pdu.source_addr_ton,
            source_npi: pdu.source_addr_npi,
            destination: pdu.destination_addr,
            dest_ton: pdu.dest_addr_ton,
            dest_npi: pdu.dest_addr_npi,
            data_coding: pdu.data_coding,
            encoding: decoded.encoding,
            text: decoded.text,
            short_message_hex: body.bytes.toString('hex'),
            esm_class: pdu.esm_class,
            udh_hex: body.udh ? body.udh.toString('hex') : null,
            registered_delivery: pdu.registered_delivery,
            received_at: receivedAt.toISOString()
        };
        if (pdu.user_message_reference !== undefined) {
            entry.user_message_reference = pdu.user_message_reference;
        }
        for (const tlv of ['sar_msg_ref_num', 'sar_total_segments', 'sar_segment_seqnum']) {
            if (pdu[tlv] !== undefined) {
                entry[tlv] = pdu[tlv];
            }
        }
        appendJsonLine(smsLog, entry);
        if (refused) {
            session.send(pdu.response({ command_status: smpp.ESME_RSUBMITFAIL }));
            return;
        }
        session.send(pdu.response({ message_id: messageId }));
        scheduleReceipt(session, pdu, messageId, receivedAt, decoded.text);
    });

    session.on('enquire_link', pdu => {
        session.send(pdu.response());
    });
    session.on('unbind', pdu => {
        session.bound = false;
        boundSessions.delete(session);
        session.send(pdu.response());
        session.close();
    });
    session.on('deliver_sm_resp', () => { /* answered receipt */ });
    session.on('unknown', pdu => {
        session.send(pdu.response());
    });
    // Any other request we do not implement gets generic_nack-like refusal with the right response type.
    for (const cmd of ['query_sm', 'cancel_sm', 'replace_sm', 'submit_multi', 'data_sm']) {
        session.on(cmd, pdu => {
            session.send(pdu.response({ command_status: smpp.ESME_RINVCMDID }));
        });
    }
}

const server = smpp.createServer(handleSession);
server.on('error', e => {
    console.error('SMSC server error:', e.message);
    process.exit(1);
});
server.listen(Number(portArg), HOST, () => {
    console.log(`SMSC listening on ${HOST}:${server.address().port}`);
});

function shutdown() {
    for (const s of boundSessions) {
        try { s.destroy(); } catch (e) { /* closing anyway */ }
    }
    server.close();
    process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
