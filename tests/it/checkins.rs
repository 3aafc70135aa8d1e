//! Weekly check-ins: answers from 1️⃣–5️⃣ reactions (a changed answer replaces the
//! earlier), drawn as a PNG chart with one dot per answered week, and as text.

use chrono::Duration;
use hearth::checkin::chart::{COLOURS, HEIGHT, WIDTH};
use hearth::domain::PlatformKind;
use hearth::reactions::{ReactionEvent, on_reaction};

use crate::support::app::{TestApp, utc};

const NUMBERS: [&str; 5] = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣"];

async fn react(app: &TestApp, delivery: i64, who: &str, score: usize) {
    let ev = ReactionEvent {
        platform: PlatformKind::Discord,
        message_id: app.fake.message_of(delivery).expect("posted"),
        user: who.into(),
        emoji: NUMBERS[score - 1].into(),
        added: true,
        by_bot: false,
        platform_ref: None,
    };
    on_reaction(&app.hearth, &ev).await.unwrap();
}

/// Fourteen weekly check-ins from Monday 2 March 2026. alice skips every third
/// week, sam skips week 5 and changes his answer in week 7 from 3 to 5.
async fn fourteen_weeks() -> TestApp {
    let app = TestApp::new().await;
    app.moderator("couple add alice sam UTC").await;
    for k in 0..14_i64 {
        app.set(utc(2026, 3, 2, 12, 0) + Duration::weeks(k));
        let r = app.member("alice", "prompt check-in").await;
        assert!(!r.is_error, "{}", r.text);
        assert_eq!(app.tick().await.posted, 1);
        let id = k + 1;
        let ku = usize::try_from(k).unwrap();
        if k % 3 != 0 {
            react(&app, id, "alice", ku % 5 + 1).await;
        }
        if k == 7 {
            react(&app, id, "sam", 3).await;
            app.advance(Duration::minutes(5));
            react(&app, id, "sam", 5).await;
        } else if k != 5 {
            react(&app, id, "sam", 5 - ku % 4).await;
        }
    }
    app.advance(Duration::hours(1));
    app
}

/// Connected areas (4-neighbour) of pixels exactly `colour`.
fn blobs(rgb: &[u8], w: usize, h: usize, colour: (u8, u8, u8)) -> usize {
    let is = |i: usize| {
        rgb[i * 3] == colour.0 && rgb[i * 3 + 1] == colour.1 && rgb[i * 3 + 2] == colour.2
    };
    let mut seen = vec![false; w * h];
    let mut count = 0;
    for start in 0..w * h {
        if seen[start] || !is(start) {
            continue;
        }
        count += 1;
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(p) = stack.pop() {
            let (x, y) = (p % w, p / w);
            let mut near = Vec::new();
            if x > 0 {
                near.push(p - 1);
            }
            if x + 1 < w {
                near.push(p + 1);
            }
            if y > 0 {
                near.push(p - w);
            }
            if y + 1 < h {
                near.push(p + w);
            }
            for q in near {
                if !seen[q] && is(q) {
                    seen[q] = true;
                    stack.push(q);
                }
            }
        }
    }
    count
}

#[tokio::test]
async fn stats_attach_a_chart_with_one_dot_per_answered_week() {
    let app = fourteen_weeks().await;
    let r = app.member("sam", "stats").await;
    assert!(!r.is_error, "{}", r.text);
    // All time: alice answered 9 of 14, sam 13, his changed answer once.
    assert!(r.text.contains("Check-ins answered: 22"), "{}", r.text);
    // The chart covers the last 12 weeks (weeks 2 to 13): alice 8, sam 11.
    assert!(
        r.text.contains("alice ▄·█▁·▄▆·▁▃·▆  (8 weeks answered"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("sam   ▄▃█·▄██▆▄▃█▆  (11 weeks answered"),
        "{}",
        r.text
    );
    let png = r.attachment.expect("a chart");
    assert_eq!(png.filename, "hearth-checkins.png");
    let decoder = png::Decoder::new(std::io::Cursor::new(png.content));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let (w, h) = (WIDTH as usize, HEIGHT as usize);
    assert_eq!(blobs(&buf, w, h, COLOURS[0].0), 8, "alice's dots");
    assert_eq!(blobs(&buf, w, h, COLOURS[1].0), 11, "sam's dots");
    if std::env::var_os("HEARTH_WRITE_DOCS_CHART").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/checkin-chart.png");
        std::fs::write(path, &buf_png(&app).await).unwrap();
    }
}

async fn buf_png(app: &TestApp) -> Vec<u8> {
    app.member("alice", "stats")
        .await
        .attachment
        .unwrap()
        .content
}

#[tokio::test]
async fn a_changed_answer_replaces_the_earlier_one() {
    let app = fourteen_weeks().await;
    let c = app.hearth.store.couple(1).await.unwrap().unwrap();
    let weeks = hearth::checkin::weeks(&app.hearth, &c, app.now())
        .await
        .unwrap();
    assert_eq!(weeks.points(), 19);
    // Week 7 is the sixth of the chart: sam's 5, not 3 nor an average of both.
    assert_eq!(weeks.series[1].scores[5], Some(5.0));
    assert_eq!(
        weeks.weeks[0],
        chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
    );
}

#[tokio::test]
async fn no_check_ins_no_chart() {
    let app = TestApp::new().await;
    app.couple_with_schedule("conversation", "daily 20:00", "UTC")
        .await;
    let r = app.member("alice", "stats").await;
    assert!(
        r.attachment.is_none() && !r.text.contains("Check-ins by week"),
        "{}",
        r.text
    );
}
