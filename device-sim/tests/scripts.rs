//! Pen scripts: the recorded-session file format, and the synthetic signature generator.

use device_sim::SignatureSpec;
use device_sim::script::{PenScript, RectMm, ScriptError};
use device_sim::signature::generate_strokes;
use stu_protocol::Model;

#[test]
fn the_sample_recorded_session_parses_and_lasts_a_few_seconds() {
    let s = PenScript::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/sample-signature.pen"
    )))
    .unwrap();
    assert!(s.events().len() > 200);
    assert!(
        (1_000.0..10_000.0).contains(&s.duration_ms()),
        "{}",
        s.duration_ms()
    );
}

#[test]
fn a_script_survives_writing_and_reading_back() {
    let s = PenScript::builder(Model::Stu430)
        .signature(
            &SignatureSpec::new(1),
            RectMm {
                x: 5.0,
                y: 10.0,
                width: 80.0,
                height: 30.0,
            },
        )
        .build()
        .unwrap();
    let back = PenScript::parse(&s.to_text()).unwrap();
    assert_eq!(back.events().len(), s.events().len());
    for (a, b) in s.events().iter().zip(back.events()) {
        assert!((a.t_ms - b.t_ms).abs() < 0.06);
        assert_eq!(a.state.is_some(), b.state.is_some());
    }
}

#[test]
fn malformed_script_lines_are_reported_with_their_line_number() {
    assert!(matches!(
        PenScript::parse("0 1 2 0.5\n5 1 2\n"),
        Err(ScriptError::Syntax { line: 2, .. })
    ));
    assert!(matches!(
        PenScript::parse("# c\n10 1 2 0.5\n5 1 2 0.5"),
        Err(ScriptError::TimeBackwards { line: 3 })
    ));
    assert!(matches!(
        PenScript::parse("0 1 2 1.5"),
        Err(ScriptError::Syntax { line: 1, .. })
    ));
    assert!(matches!(
        PenScript::parse("0 x 2 0.5"),
        Err(ScriptError::Syntax { line: 1, .. })
    ));
}

#[test]
fn the_pen_moves_linearly_between_samples_and_leaves_on_up() {
    let s = PenScript::parse("0 10 10 0.2\n10 20 30 0.4\n20 up\n").unwrap();
    let mid = s.state_at(5.0).unwrap();
    assert!(
        (mid.x_mm - 15.0).abs() < 1e-9
            && (mid.y_mm - 20.0).abs() < 1e-9
            && (mid.pressure - 0.3).abs() < 1e-9
    );
    assert!(s.state_at(25.0).is_none());
    assert!(s.state_at(-1.0).is_none());
}

#[test]
fn the_same_seed_gives_the_same_signature_and_another_seed_a_different_one() {
    let area = RectMm {
        x: 0.0,
        y: 0.0,
        width: 90.0,
        height: 40.0,
    };
    assert_eq!(
        generate_strokes(&SignatureSpec::new(5), area),
        generate_strokes(&SignatureSpec::new(5), area)
    );
    assert_ne!(
        generate_strokes(&SignatureSpec::new(5), area),
        generate_strokes(&SignatureSpec::new(6), area)
    );
}

#[test]
fn synthetic_signatures_stay_in_their_box_at_handwriting_speed_and_pressure() {
    let area = RectMm {
        x: 10.0,
        y: 20.0,
        width: 80.0,
        height: 30.0,
    };
    for seed in 0..20 {
        let strokes = generate_strokes(&SignatureSpec::new(seed), area);
        assert!(strokes.len() >= 3, "seed {seed}: words plus underline");
        let mut speeds = Vec::new();
        let mut duration = 0.0;
        for s in &strokes {
            duration += s.gap_before_ms + s.dt_ms * s.points.len() as f64;
            for p in &s.points {
                assert!(
                    p.0 >= area.x
                        && p.0 <= area.x + area.width
                        && p.1 >= area.y
                        && p.1 <= area.y + area.height
                );
                assert!((0.0..=1.0).contains(&p.2));
            }
            for w in s.points.windows(2).filter(|w| w[0].2 > 0.0 && w[1].2 > 0.0) {
                speeds.push((w[1].0 - w[0].0).hypot(w[1].1 - w[0].1) / (s.dt_ms / 1000.0));
            }
        }
        speeds.sort_by(f64::total_cmp);
        let median = speeds[speeds.len() / 2];
        assert!(
            (15.0..400.0).contains(&median),
            "seed {seed}: median speed {median} mm/s"
        );
        assert!(
            (800.0..8_000.0).contains(&duration),
            "seed {seed}: {duration} ms"
        );
        let pressed: Vec<f64> = strokes
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.2))
            .filter(|p| *p > 0.0)
            .collect();
        let mean = pressed.iter().sum::<f64>() / pressed.len() as f64;
        assert!(
            (0.2..0.8).contains(&mean),
            "seed {seed}: mean pressure {mean}"
        );
    }
}
