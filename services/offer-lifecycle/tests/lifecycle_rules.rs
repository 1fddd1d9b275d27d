//! The rules of the offer lifecycle, one behaviour per test, named as an agent or the help desk
//! would describe it.

mod common;

use common::*;
use offer_lifecycle::*;

#[test]
fn signing_does_not_start_without_the_clients_email() {
    let mut offer = Stream::new();
    let no_email = Contacts {
        email: None,
        mobile: Some(mobile("603 123 456")),
    };
    offer.given(model_offer_with(no_email, standard_fields()));
    let refused = offer.apply(start_signing());
    assert_eq!(refused, Err(LifecycleError::ContactsMissing));
    assert_eq!(
        LifecycleError::ContactsMissing.to_string(),
        "Pro digitální podpis je potřeba vyplnit mobilní telefon a e-mail klienta."
    );
}

#[test]
fn signing_does_not_start_without_the_clients_mobile() {
    let mut offer = Stream::new();
    let no_mobile = Contacts {
        email: Some(email("jan.novak@example.cz")),
        mobile: None,
    };
    offer.given(model_offer_with(no_mobile, standard_fields()));
    assert_eq!(
        offer.apply(start_signing()),
        Err(LifecycleError::ContactsMissing)
    );
}

#[test]
fn a_landline_or_a_foreign_number_cannot_be_the_clients_mobile() {
    assert_eq!(
        CzechMobile::parse("224 123 456"),
        Err(ValidationError::NotMobile)
    );
    assert_eq!(
        CzechMobile::parse("+421 903 123 456"),
        Err(ValidationError::ForeignPhone)
    );
    assert!(
        ValidationError::NotMobile
            .to_string()
            .contains("není český mobilní telefon")
    );
}

#[test]
fn an_offer_is_modelled_in_state_1_with_the_seeds_text() {
    let mut offer = Stream::new();
    assert_eq!(offer.status(), None);
    offer.given(model_offer());
    assert_eq!(offer.status(), Some(OfferStatus::InProgress));
    assert_eq!(
        OfferStatus::InProgress.text_cs(),
        "Nabídka je rozpracována, čeká na podpis"
    );
}

#[test]
fn states_move_forward_from_1_to_4_with_the_seeds_texts() {
    let mut offer = Stream::sealed();
    assert_eq!(offer.status(), Some(OfferStatus::SignedAwaitingSync));
    assert_eq!(
        OfferStatus::SignedAwaitingSync.text_cs(),
        "Nabídka podepsána, čeká na synchronizaci SmartClienta – již ji nelze editovat"
    );
    offer.given(receive());
    assert_eq!(offer.status(), Some(OfferStatus::SentToInsurer));
    assert_eq!(
        OfferStatus::SentToInsurer.text_cs(),
        "Nabídka byla odeslána do PČS"
    );
    offer.given(accept());
    assert_eq!(offer.status(), Some(OfferStatus::AcceptedForProcessing));
    assert_eq!(
        OfferStatus::AcceptedForProcessing.text_cs(),
        "PČS přijala nabídku do zpracování"
    );
    assert_eq!(OfferStatus::AcceptedForProcessing.number(), 4);
}

#[test]
fn fields_are_signed_in_the_order_of_the_document() {
    let mut offer = Stream::new();
    offer.given(model_offer()).given(start_signing());
    let out_of_turn = offer.apply(sign("podpis-poradce", SignerRole::Agent, 2));
    assert_eq!(
        out_of_turn,
        Err(LifecycleError::FieldOutOfTurn {
            expected: field_id("podpis-klienta"),
            got: field_id("podpis-poradce"),
        })
    );
    offer
        .given(sign("podpis-klienta", SignerRole::Client, 1))
        .given(sign("podpis-poradce", SignerRole::Agent, 2));
    assert!(offer.offer().all_fields_signed());
}

#[test]
fn a_field_is_signed_by_the_role_it_is_for() {
    let mut offer = Stream::new();
    offer.given(model_offer()).given(start_signing());
    assert_eq!(
        offer.apply(sign("podpis-klienta", SignerRole::Agent, 1)),
        Err(LifecycleError::WrongSigner {
            field: field_id("podpis-klienta"),
            expected: SignerRole::Client,
            got: SignerRole::Agent,
        })
    );
}

#[test]
fn fields_are_signed_only_after_signing_started_on_a_pad() {
    let mut offer = Stream::new();
    offer.given(model_offer());
    assert_eq!(
        offer.apply(sign("podpis-klienta", SignerRole::Client, 1)),
        Err(LifecycleError::SigningNotStarted)
    );
}

#[test]
fn a_field_cannot_be_signed_twice() {
    let mut offer = Stream::new();
    offer
        .given(model_offer())
        .given(start_signing())
        .given(sign("podpis-klienta", SignerRole::Client, 1));
    assert_eq!(
        offer.apply(sign("podpis-klienta", SignerRole::Client, 7)),
        Err(LifecycleError::FieldAlreadySigned(field_id(
            "podpis-klienta"
        )))
    );
    assert_eq!(offer.offer().signatures.len(), 1);
}

#[test]
fn a_retried_signature_adds_nothing() {
    let mut offer = Stream::new();
    offer
        .given(model_offer())
        .given(start_signing())
        .given(sign("podpis-klienta", SignerRole::Client, 1));
    assert_eq!(
        offer.apply(sign("podpis-klienta", SignerRole::Client, 1)),
        Ok(vec![])
    );
}

#[test]
fn a_biometric_envelope_cannot_be_reused_for_another_field() {
    let mut offer = Stream::new();
    offer
        .given(model_offer())
        .given(start_signing())
        .given(sign("podpis-klienta", SignerRole::Client, 1));
    let reused = Command::SignField {
        field_id: field_id("podpis-poradce"),
        role: SignerRole::Agent,
        signature_image_sha256: sha(150),
        envelope_sha256: sha(201),
        quality: quality(),
        signed_at: at(5),
    };
    assert_eq!(offer.apply(reused), Err(LifecycleError::EnvelopeReused));
}

#[test]
fn the_offer_is_saved_and_sent_only_when_every_field_is_signed() {
    let mut offer = Stream::new();
    offer
        .given(model_offer())
        .given(start_signing())
        .given(sign("podpis-klienta", SignerRole::Client, 1));
    let refused = offer.apply(seal());
    assert_eq!(
        refused,
        Err(LifecycleError::UnsignedFields {
            remaining: 1,
            total: 2
        })
    );
    offer
        .given(sign("podpis-poradce", SignerRole::Agent, 2))
        .given(seal());
    assert!(offer.offer().is_sealed());
}

#[test]
fn the_offer_can_be_remodelled_until_the_first_signature() {
    let mut offer = Stream::new();
    offer.given(model_offer()).given(start_signing());
    let mut edited = model_offer();
    if let Command::ModelOffer {
        document_sha256, ..
    } = &mut edited
    {
        *document_sha256 = sha(9);
    }
    offer.given(edited.clone());
    assert_eq!(offer.offer().document_sha256, sha(9));
    assert!(
        offer.offer().signing.is_none(),
        "a new document is shown on the pad again"
    );
    offer
        .given(start_signing())
        .given(sign("podpis-klienta", SignerRole::Client, 1));
    if let Command::ModelOffer {
        document_sha256, ..
    } = &mut edited
    {
        *document_sha256 = sha(10);
    }
    assert_eq!(
        offer.apply(edited),
        Err(LifecycleError::AlreadyPartlySigned)
    );
}

#[test]
fn nothing_can_change_the_signatures_after_the_offer_is_sealed() {
    let mut offer = Stream::sealed();
    let before = offer.offer().clone();

    let mut other_document = model_offer();
    if let Command::ModelOffer {
        document_sha256, ..
    } = &mut other_document
    {
        *document_sha256 = sha(9);
    }
    let other_signature = sign("podpis-klienta", SignerRole::Client, 9);
    let other_seal = Command::SealOffer {
        sealed_pdf_sha256: sha(99),
        sealed_at: at(11),
    };
    for command in [other_document, other_signature, other_seal, start_signing()] {
        assert_eq!(offer.apply(command), Err(LifecycleError::OfferSealed));
    }
    assert_eq!(offer.offer(), &before);
    assert!(
        LifecycleError::OfferSealed
            .to_string()
            .contains("již ji nelze editovat")
    );
}

#[test]
fn a_sealed_offer_cannot_be_cancelled_only_a_paper_withdrawal_is_recorded() {
    let mut offer = Stream::sealed();
    offer.given(paper_withdrawal());
    // Sending cannot be prevented: the offer still travels to the insurer.
    offer.given(receive()).given(accept());
    assert_eq!(offer.status(), Some(OfferStatus::AcceptedForProcessing));
    assert!(offer.offer().withdrawal.is_some());
}

#[test]
fn an_unsigned_offer_has_nothing_to_withdraw() {
    let mut offer = Stream::new();
    offer.given(model_offer());
    assert_eq!(
        offer.apply(paper_withdrawal()),
        Err(LifecycleError::NothingToWithdraw)
    );
}

#[test]
fn the_backend_accepts_only_the_pdf_that_was_sealed() {
    let mut offer = Stream::sealed();
    let forged = Command::ReceiveOffer {
        pdf_sha256: sha(66),
        received_at: at(60),
    };
    assert_eq!(
        offer.apply(forged),
        Err(LifecycleError::ReceivedPdfMismatch)
    );
    assert_eq!(offer.status(), Some(OfferStatus::SignedAwaitingSync));
}

#[test]
fn an_offer_is_received_only_after_it_is_sealed() {
    let mut offer = Stream::new();
    offer.given(model_offer());
    assert_eq!(offer.apply(receive()), Err(LifecycleError::NotSealed));
}

#[test]
fn a_rejected_offer_stays_in_state_3_and_cannot_be_accepted_or_published() {
    let mut offer = Stream::sealed();
    offer.given(receive()).given(Command::RejectOffer {
        reason: reason("PDF neprošlo kontrolou podpisu."),
        rejected_at: at(61),
    });
    assert_eq!(offer.status(), Some(OfferStatus::SentToInsurer));
    assert!(offer.offer().is_rejected());
    assert_eq!(offer.apply(accept()), Err(LifecycleError::Rejected));
    assert_eq!(offer.apply(publish()), Err(LifecycleError::Rejected));
}

#[test]
fn documents_are_published_only_after_the_insurer_accepted_the_offer() {
    let mut offer = Stream::sealed();
    assert_eq!(offer.apply(publish()), Err(LifecycleError::NotReceived));
    offer.given(receive());
    assert_eq!(offer.apply(publish()), Err(LifecycleError::NotAccepted));
    offer.given(accept()).given(publish());
    assert!(offer.offer().publication.is_some());
}

#[test]
fn an_offer_whose_email_was_never_delivered_cannot_be_made_effective() {
    let mut offer = Stream::published();
    let refused = offer.apply(make_effective(60 * 48));
    assert_eq!(refused, Err(LifecycleError::EmailNotDelivered));
    assert_eq!(
        LifecycleError::EmailNotDelivered.to_string(),
        "Nabídku nelze zplatnit: klientovi se nepodařilo doručit e-mail."
    );
    offer.given(email_sent("m1@pojistovna", "jan.novak@example.cz"));
    assert_eq!(
        offer.apply(make_effective(60 * 48)),
        Err(LifecycleError::EmailNotDelivered)
    );
}

#[test]
fn a_bounced_email_blocks_the_offer_from_becoming_effective_until_a_later_delivery_succeeds() {
    let mut offer = Stream::published();
    offer
        .given(email_sent("m1@pojistovna", "jan.novak@example.cz"))
        .given(email_delivered("m1@pojistovna", 60 * 23))
        .given(email_bounced("m1@pojistovna", 60 * 24));
    assert_eq!(offer.offer().email_status, DeliveryStatus::Failed);
    assert_eq!(
        offer.apply(make_effective(60 * 48)),
        Err(LifecycleError::EmailNotDelivered)
    );

    offer.given(Command::RequestResend {
        user: user(),
        reason: reason("Klientovi nedorazil e-mail."),
        channels: Channels::Email,
        requested_at: at(60 * 25),
    });
    offer.given(email_sent("m2@pojistovna", "jan.novak@example.cz"));
    assert_eq!(
        offer.apply(make_effective(60 * 48)),
        Err(LifecycleError::EmailNotDelivered)
    );
    offer.given(email_delivered("m2@pojistovna", 60 * 26));
    let made = offer.apply(make_effective(60 * 48));
    assert!(matches!(
        made.as_deref(),
        Ok([Event::OfferMadeEffective(_)])
    ));
    assert!(offer.offer().is_effective());
}

#[test]
fn a_corrected_email_address_needs_its_own_delivery_before_the_offer_becomes_effective() {
    let mut offer = Stream::published();
    offer
        .given(email_sent("m1@pojistovna", "jan.novak@example.cz"))
        .given(correct_email("jan.novak@example.com"))
        // a late report about the old address does not count
        .given(email_delivered("m1@pojistovna", 60 * 31));
    assert_eq!(offer.offer().email_status, DeliveryStatus::NotSent);
    assert_eq!(
        offer.apply(make_effective(60 * 48)),
        Err(LifecycleError::EmailNotDelivered)
    );
    offer
        .given(email_sent("m2@pojistovna", "jan.novak@example.com"))
        .given(email_delivered("m2@pojistovna", 60 * 32))
        .given(make_effective(60 * 48));
    assert!(offer.offer().is_effective());
}

#[test]
fn a_paper_withdrawal_blocks_making_the_offer_effective() {
    let mut offer = Stream::published();
    offer
        .given(email_sent("m1@pojistovna", "jan.novak@example.cz"))
        .given(email_delivered("m1@pojistovna", 60 * 23))
        .given(paper_withdrawal());
    assert_eq!(
        offer.apply(make_effective(60 * 48)),
        Err(LifecycleError::Withdrawn)
    );
}

#[test]
fn a_contact_correction_changes_where_notifications_go_never_the_document() {
    let mut offer = Stream::sealed();
    let document = offer.offer().document_sha256;
    let signatures = offer.offer().signatures.clone();
    offer.given(Command::CorrectContact {
        user: user(),
        reason: reason("Klient nahlásil nové mobilní číslo."),
        email: None,
        mobile: Some(mobile("+420 777 000 111")),
        corrected_at: at(20),
    });
    assert_eq!(offer.offer().contacts.mobile, Some(mobile("777000111")));
    assert_eq!(
        offer.offer().contacts.email,
        Some(email("jan.novak@example.cz"))
    );
    assert_eq!(offer.offer().document_sha256, document);
    assert_eq!(offer.offer().signatures, signatures);
}

#[test]
fn contacts_of_an_offer_still_being_edited_are_corrected_by_the_agent_not_the_help_desk() {
    let mut offer = Stream::new();
    offer.given(model_offer());
    assert_eq!(
        offer.apply(correct_email("jan@example.com")),
        Err(LifecycleError::OfferStillEditable)
    );
}

#[test]
fn a_contact_correction_must_name_a_new_contact() {
    let mut offer = Stream::sealed();
    let empty = Command::CorrectContact {
        user: user(),
        reason: reason("Oprava."),
        email: None,
        mobile: None,
        corrected_at: at(20),
    };
    assert_eq!(offer.apply(empty), Err(LifecycleError::NothingToCorrect));
}

#[test]
fn every_help_desk_action_names_the_user_and_the_reason() {
    let mut offer = Stream::published();
    offer
        .given(correct_email("jan.novak@example.com"))
        .given(paper_withdrawal())
        .given(Command::RequestResend {
            user: user(),
            reason: reason("Klient nenašel SMS."),
            channels: Channels::Sms,
            requested_at: at(60 * 40),
        });
    let actors: Vec<_> = offer
        .events
        .iter()
        .filter_map(Event::help_desk_actor)
        .collect();
    assert_eq!(actors.len(), 3);
    for (who, why) in actors {
        assert_eq!(who, &user());
        assert!(!why.as_str().is_empty());
    }
    // An empty user or reason cannot even be written into a command.
    assert!(HelpDeskUser::new("").is_err());
    assert!(Reason::new("   ").is_err());
}

#[test]
fn the_help_desk_resends_only_after_the_documents_are_published() {
    let mut offer = Stream::sealed();
    offer.given(receive());
    let resend = Command::RequestResend {
        user: user(),
        reason: reason("Klientovi nedorazil e-mail."),
        channels: Channels::Both,
        requested_at: at(70),
    };
    assert_eq!(
        offer.apply(resend.clone()),
        Err(LifecycleError::NotAccepted)
    );
    offer.given(accept());
    assert_eq!(
        offer.apply(resend),
        Err(LifecycleError::DocumentsNotPublished)
    );
}

#[test]
fn resend_requests_are_bounded() {
    let mut offer = Stream::published();
    let resend = Command::RequestResend {
        user: user(),
        reason: reason("Klientovi nedorazil e-mail."),
        channels: Channels::Both,
        requested_at: at(70),
    };
    for _ in 0..limits::MAX_RESEND_REQUESTS {
        offer.given(resend.clone());
    }
    assert!(matches!(
        offer.apply(resend),
        Err(LifecycleError::LimitReached { .. })
    ));
}

#[test]
fn a_delivery_report_must_name_a_sent_message() {
    let mut offer = Stream::published();
    assert_eq!(
        offer.apply(email_delivered("nikdy@odeslano", 60 * 23)),
        Err(LifecycleError::UnknownMessage {
            message_id: "nikdy@odeslano".to_owned()
        })
    );
}

#[test]
fn one_message_id_cannot_be_recorded_for_two_recipients() {
    let mut offer = Stream::published();
    offer.given(email_sent("m1@pojistovna", "jan.novak@example.cz"));
    assert!(matches!(
        offer.apply(email_sent("m1@pojistovna", "jiny@example.cz")),
        Err(LifecycleError::MessageConflict { .. })
    ));
}

#[test]
fn restating_a_recorded_fact_adds_no_events() {
    let mut offer = Stream::published();
    offer
        .given(email_sent("m1@pojistovna", "jan.novak@example.cz"))
        .given(email_delivered("m1@pojistovna", 60 * 23))
        .given(make_effective(60 * 48));
    for command in [
        model_offer(),
        sign("podpis-poradce", SignerRole::Agent, 2),
        seal(),
        receive(),
        accept(),
        publish(),
        schedule(),
        issue_code(1, 63),
        email_sent("m1@pojistovna", "jan.novak@example.cz"),
        email_delivered("m1@pojistovna", 60 * 24),
        make_effective(60 * 49),
    ] {
        assert_eq!(offer.apply(command.clone()), Ok(vec![]), "{command:?}");
    }
}

#[test]
fn a_second_rejection_with_another_reason_is_refused() {
    let mut offer = Stream::sealed();
    offer.given(receive()).given(Command::RejectOffer {
        reason: reason("Chybí podpis."),
        rejected_at: at(61),
    });
    let other = Command::RejectOffer {
        reason: reason("Jiný důvod."),
        rejected_at: at(62),
    };
    assert_eq!(
        offer.apply(other),
        Err(LifecycleError::RejectedWithOtherReason)
    );
}

#[test]
fn an_offer_needs_a_client_field_and_unique_bounded_fields() {
    let mut offer = Stream::new();
    let only_agent = vec![field("podpis-poradce", SignerRole::Agent, 1)];
    assert_eq!(
        offer.apply(model_offer_with(contacts(), only_agent)),
        Err(LifecycleError::NoClientField)
    );
    assert_eq!(
        offer.apply(model_offer_with(contacts(), vec![])),
        Err(LifecycleError::NoSignatureFields)
    );
    let twice = vec![
        field("pole", SignerRole::Client, 1),
        field("pole", SignerRole::Agent, 1),
    ];
    assert_eq!(
        offer.apply(model_offer_with(contacts(), twice)),
        Err(LifecycleError::DuplicateField(field_id("pole")))
    );
    let many = (0..=limits::MAX_SIGNATURE_FIELDS)
        .map(|i| field(&format!("pole-{i}"), SignerRole::Client, 1))
        .collect();
    assert!(matches!(
        offer.apply(model_offer_with(contacts(), many)),
        Err(LifecycleError::TooManyFields { .. })
    ));
}

#[test]
fn commands_before_the_offer_is_modelled_are_refused() {
    let mut offer = Stream::new();
    assert_eq!(
        offer.apply(start_signing()),
        Err(LifecycleError::OfferNotModelled)
    );
    assert_eq!(
        offer.apply(make_effective(0)),
        Err(LifecycleError::OfferNotModelled)
    );
}

#[test]
fn replaying_the_events_rebuilds_the_same_state() {
    let mut offer = Stream::published();
    offer
        .given(email_sent("m1@pojistovna", "jan.novak@example.cz"))
        .given(email_bounced("m1@pojistovna", 60 * 23))
        .given(correct_email("jan.novak@example.com"))
        .given(email_sent("m2@pojistovna", "jan.novak@example.com"))
        .given(email_delivered("m2@pojistovna", 60 * 33))
        .given(opened(60 * 34))
        .given(make_effective(60 * 48));
    assert_eq!(replay(&offer.events), offer.state);
}

#[test]
fn five_wrong_access_codes_lock_the_storage_until_a_new_code_is_issued() {
    let mut offer = Stream::published();
    for n in 1..=4 {
        let events = offer.apply(wrong_code(100 + n)).map_err(|e| e.to_string());
        let Ok([Event::StorageAccessRefused(refused)]) = events.as_deref() else {
            panic!("a wrong code is one refusal: {events:?}");
        };
        assert_eq!(refused.refusal, AccessRefusal::WrongCode);
        assert_eq!(refused.tries_left, 5 - n as u32);
    }
    let fifth = offer.apply(wrong_code(105));
    assert!(
        matches!(fifth.as_deref(), Ok([Event::StorageAccessRefused(r), Event::StorageLocked(l)])
            if r.tries_left == 0 && l.wrong_tries == 5),
        "{fifth:?}"
    );
    assert_eq!(offer.apply(opened(106)), Err(LifecycleError::StorageLocked));
    // later tries are recorded as refused because locked, and do not count further
    let sixth = offer.apply(wrong_code(107));
    assert!(
        matches!(sixth.as_deref(), Ok([Event::StorageAccessRefused(r)]) if r.refusal == AccessRefusal::Locked),
        "{sixth:?}"
    );
    assert_eq!(offer.offer().access.wrong_tries, 5);
    offer.given(issue_code(2, 110));
    assert!(!offer.offer().access.is_locked());
    assert_eq!(offer.offer().access.tries_left(), 5);
    offer.given(opened(111));
}

#[test]
fn a_new_access_code_moves_the_expiry_of_the_link() {
    let mut offer = Stream::published();
    let late = 60 * 24 * 40;
    assert_eq!(
        offer.apply(opened(late)),
        Err(LifecycleError::StorageExpired)
    );
    let visit = offer.apply(Command::RecordRefusedVisit {
        client: visitor(),
        at: at(late),
    });
    assert!(
        matches!(visit.as_deref(), Ok([Event::StorageAccessRefused(r)]) if r.refusal == AccessRefusal::Expired),
        "{visit:?}"
    );
    offer.given(issue_code(2, late));
    offer.given(opened(late + 1));
    assert_eq!(
        offer.apply(Command::RecordRefusedVisit {
            client: visitor(),
            at: at(late + 2),
        }),
        Err(LifecycleError::StorageOpen),
        "an open entry has no refused visits to record"
    );
}

#[test]
fn the_storage_does_not_open_before_a_code_was_issued() {
    let mut offer = Stream::sealed();
    offer.given(receive()).given(accept()).given(publish());
    assert_eq!(offer.apply(opened(70)), Err(LifecycleError::NoAccessCode));
    assert_eq!(
        offer.apply(wrong_code(70)),
        Err(LifecycleError::NoAccessCode)
    );
}

#[test]
fn only_published_documents_can_be_downloaded_and_a_cut_off_download_says_so() {
    let mut offer = Stream::published();
    assert_eq!(
        offer.apply(downloaded("cizi-dokument", 120)),
        Err(LifecycleError::UnknownDocument {
            document: "cizi-dokument".into()
        })
    );
    let cut = offer.apply(Command::RecordDocumentDownloaded {
        document: ok(DocumentName::new("nabidka")),
        client: Some(visitor()),
        bytes_sent: Some(4096),
        bytes_expected: Some(1_048_576),
        downloaded_at: at(121),
    });
    assert!(
        matches!(cut.as_deref(), Ok([Event::DocumentDownloaded(d)]) if d.completed == Some(false)),
        "{cut:?}"
    );
    let whole = offer.apply(downloaded("nabidka", 122));
    assert!(
        matches!(whole.as_deref(), Ok([Event::DocumentDownloaded(d)]) if d.completed == Some(true)),
        "{whole:?}"
    );
}

#[test]
fn a_publication_lists_at_least_one_document_each_once() {
    let mut offer = Stream::sealed();
    offer.given(receive()).given(accept());
    let with = |documents: Vec<PublishedDocument>| Command::PublishDocuments {
        folder: ok(StorageFolder::new("2025/06/NAB-2025-0001")),
        link_token_sha256: sha(3),
        documents,
        expires_at: at(60 * 24 * 30),
        published_at: at(62),
    };
    assert_eq!(offer.apply(with(vec![])), Err(LifecycleError::NoDocuments));
    let mut twice = documents();
    twice[1].name = twice[0].name.clone();
    assert_eq!(
        offer.apply(with(twice)),
        Err(LifecycleError::DuplicateDocument {
            document: "nabidka".into()
        })
    );
}

#[test]
fn the_next_mornings_notification_is_scheduled_when_the_insurer_receives_the_offer() {
    let mut offer = Stream::sealed();
    assert_eq!(offer.apply(schedule()), Err(LifecycleError::NotReceived));
    offer.given(receive());
    offer.given(schedule());
    assert!(
        offer.offer().schedule.is_some(),
        "scheduled in state 3, before acceptance"
    );
}

#[test]
fn a_rejected_offers_notification_is_skipped_with_the_reason_on_record() {
    let mut offer = Stream::sealed();
    offer
        .given(receive())
        .given(schedule())
        .given(Command::RejectOffer {
            reason: reason("PDF neprošlo kontrolou podpisu."),
            rejected_at: at(61),
        });
    let skipped = offer.apply(Command::SkipNotification {
        channels: Channels::Both,
        reason: reason("PČS nabídku nepřijala, klientovi se nic neposílá."),
        skipped_at: at(60 * 22),
    });
    assert!(
        matches!(skipped.as_deref(), Ok([Event::NotificationSkipped(s)]) if s.channels == Channels::Both),
        "{skipped:?}"
    );
    assert_eq!(
        offer.apply(email_sent("m1@pojistovna", "jan.novak@example.cz")),
        Err(LifecycleError::Rejected),
        "nothing goes to the client of a rejected offer"
    );
}

#[test]
fn a_delayed_email_is_on_record_but_is_neither_delivered_nor_bounced() {
    let mut offer = Stream::published();
    offer.given(email_sent("m1@pojistovna", "jan.novak@example.cz"));
    offer.given(Command::RecordEmailDelayed {
        message_id: message("m1@pojistovna"),
        report: reply("4.4.7 Delivery time expired soon"),
        delayed_at: at(60 * 23),
    });
    assert_eq!(offer.offer().email_status, DeliveryStatus::AwaitingReport);
    assert_eq!(
        offer.apply(Command::RecordEmailDelayed {
            message_id: message("unknown@pojistovna"),
            report: reply("4.4.7"),
            delayed_at: at(60 * 23),
        }),
        Err(LifecycleError::UnknownMessage {
            message_id: "unknown@pojistovna".into()
        })
    );
}
