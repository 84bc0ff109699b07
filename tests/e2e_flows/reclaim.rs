//! The Reclaim page in a tenant without Microsoft Entra ID P1/P2 (`no-p1`), in the real webview
//! (part of the `e2e` suite: it shares its driver and helpers).

use super::*;

/// Without sign-in activity the page says what is missing and how to get it, still lists the
/// disabled accounts, and calls nobody inactive or never signed in — until the person ticks
/// the guess from the accounts' age, whose rows then say they are a guess. axe on both states,
/// in English and in Dutch. Screenshots: {en,nl}-reclaim-no-p1.png,
/// {en,nl}-reclaim-no-p1-guessed.png.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus, tauri-driver and a built app: run by `make test`"]
async fn reclaim_without_entra_id_p1_says_what_is_missing_and_guesses_only_when_asked() {
    for words in [NoP1Words::ENGLISH, NoP1Words::DUTCH] {
        let home =
            std::env::temp_dir().join(format!("ld-e2e-no-p1-{}-{}", words.tag, std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        let driver = Driver::in_language(
            words.lang,
            &home,
            &[("LICENSEDESK_DEMO_SCENARIO", PathBuf::from("no-p1"))],
        );
        let client = open_app(&driver).await;
        let result = no_p1_flow(&client, &words).await;
        let _ = client.close().await;
        drop(driver);
        let _ = std::fs::remove_dir_all(&home);
        result.unwrap_or_else(|e| {
            panic!("the Reclaim page without Entra ID P1 ({}): {e}", words.tag)
        });
    }
}

/// What the no-P1 Reclaim page says, in one language (from ui/src/i18n).
struct NoP1Words {
    lang: &'static str,
    tag: &'static str,
    wasted: &'static str,
    chosen: &'static str,
    old_account: &'static str,
    unknown: &'static str,
}

impl NoP1Words {
    const ENGLISH: Self = Self {
        lang: "en_GB.UTF-8",
        tag: "en",
        wasted: "look wasted",
        chosen: " chosen",
        old_account: "Account older than 90 days (sign-ins unknown)",
        unknown: "Unknown",
    };
    const DUTCH: Self = Self {
        lang: "nl_NL.UTF-8",
        tag: "nl",
        wasted: "lijken verspild",
        chosen: " gekozen",
        old_account: "Account ouder dan 90 dagen (aanmeldingen onbekend)",
        unknown: "Onbekend",
    };
}

async fn rows_of(client: &Client, reason: &str) -> Result<usize, String> {
    client
        .find_all(Locator::Css(&format!(
            "[data-testid=reclaim-row][data-reason={reason}]"
        )))
        .await
        .map(|rows| rows.len())
        .map_err(|e| e.to_string())
}

async fn no_p1_flow(client: &Client, words: &NoP1Words) -> Result<(), String> {
    appear(client, "[data-testid=plan-card]").await?;
    load_axe(client).await?;
    click(client, "[data-testid=nav-reclaim]").await?;
    wait_text(
        client,
        "[data-testid=reclaim-no-sign-ins]",
        "Microsoft Entra ID P1",
    )
    .await?;
    wait_text(client, "[data-testid=reclaim-summary]", words.wasted).await?;
    if rows_of(client, "disabled").await? == 0 {
        return Err("no disabled account listed".into());
    }
    for reason in ["inactive", "neverSignedIn"] {
        let n = rows_of(client, reason).await?;
        if n != 0 {
            return Err(format!("{n} {reason} rows without sign-in data"));
        }
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_, violations) = axe_check(client).await?;
    if !violations.is_empty() {
        return Err(format!("axe, no sign-in data: {violations:?}"));
    }
    save_screenshot(client, &format!("{}-reclaim-no-p1.png", words.tag)).await;
    let chosen = |summary: &str| {
        summary
            .split(words.chosen)
            .next()
            .and_then(|head| head.split_whitespace().last())
            .map(str::to_string)
    };
    let chosen_before = chosen(&text_of(client, "[data-testid=reclaim-summary]").await);

    click(client, "[data-testid=reclaim-guess-from-age]").await?;
    wait_text(
        client,
        "[data-testid=reclaim-row][data-reason=neverSignedIn]",
        words.old_account,
    )
    .await?;
    if rows_of(client, "inactive").await? != 0 {
        return Err("the guess made someone inactive".into());
    }
    // A guess is listed, not chosen: the person ticks each one.
    let chosen_after = chosen(&text_of(client, "[data-testid=reclaim-summary]").await);
    if chosen_before.is_none() || chosen_after != chosen_before {
        return Err(format!("chosen {chosen_before:?} → {chosen_after:?}"));
    }
    wait_text(
        client,
        "[data-testid=reclaim-row][data-reason=neverSignedIn]",
        words.unknown,
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_, violations) = axe_check(client).await?;
    if !violations.is_empty() {
        return Err(format!("axe, guessed: {violations:?}"));
    }
    save_screenshot(client, &format!("{}-reclaim-no-p1-guessed.png", words.tag)).await;
    Ok(())
}

/// The Reclaim page with the keyboard alone, on the demo: leave someone out with a reason,
/// choose one license, review and take it back. Every tab stop on the way is visible, the
/// dialog takes the focus, and Escape is not needed anywhere.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus, tauri-driver and a built app: run by `make test`"]
async fn the_reclaim_page_with_the_keyboard_alone() {
    let driver = Driver::start();
    let client = open_app(&driver).await;
    let result = reclaim_by_keys(&client).await;
    let _ = client.close().await;
    result.expect("the Reclaim page by keys");
}

async fn reclaim_by_keys(client: &Client) -> Result<(), String> {
    appear(client, "[data-testid=plan-card]").await?;
    tab_to(client, "[data-testid=nav-reclaim]", 30).await?;
    press(client, ENTER).await?;
    wait_text(client, "[data-testid=reclaim-summary]", "look wasted").await?;

    // Leave the first person out, with why.
    tab_to(client, "[data-testid=reclaim-exclude]", 40).await?;
    press(client, ENTER).await?;
    appear(client, "[data-testid=reclaim-exclude-reason]").await?;
    let (at, _) = focused(client).await?;
    if !at.contains("reclaim-exclude-reason") {
        return Err(format!("the dialog opened with the focus at {at}"));
    }
    press(client, "kiosk account").await?;
    tab_to(client, "[data-testid=reclaim-exclude-save]", 10).await?;
    press(client, ENTER).await?;
    wait_text(client, "[data-testid=reclaim-excluded]", "kiosk account").await?;
    wait_text(client, "[data-testid=reclaim-summary]", "look wasted").await?;

    // Choose nothing, then the first license.
    tab_to(client, "[data-testid=reclaim-all]", 40).await?;
    press(client, " ").await?;
    wait_text(client, "[data-testid=reclaim-summary]", "0 chosen").await?;
    tab_to(client, "[data-testid=reclaim-choose]", 5).await?;
    press(client, " ").await?;
    wait_text(client, "[data-testid=reclaim-summary]", "1 chosen").await?;

    // The review button is above the table: back with Shift+Tab.
    shift_tab_to(client, "[data-testid=reclaim-review]", 11).await?;
    press(client, ENTER).await?;
    wait_text(client, "[data-testid=review]", "Take back licenses").await?;
    tab_to(client, "[data-testid=review-apply]", 40).await?;
    press(client, ENTER).await?;
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("[data-testid=result-close]"))
        .await
        .map_err(|e| e.to_string())?;
    wait_text(client, "[data-testid=result-summary]", "1").await?;
    tab_to(client, "[data-testid=result-close]", 40).await?;
    press(client, ENTER).await?;
    wait_text(client, "[data-testid=reclaim-summary]", "look wasted").await?;
    save_screenshot(client, "reclaim-by-keys.png").await;
    Ok(())
}
