//! End-to-end flows of group-based licensing and role templates, in the real webview on the
//! demo tenant (part of the `e2e` suite: it shares its driver and helpers).

use super::*;

/// The Groups page: the Support group's people in CountViolation (no seat left for them).
/// Fixed as a person would: remove someone who has a seat from the group (reviewed, applied),
/// wait for Microsoft to process it, then reprocess the person in error and watch them become
/// Active. Screenshots: groups-page.png, group-errors.png, group-fixed.png.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus, tauri-driver and a built app: run by `make test`"]
async fn fix_a_count_violation_from_the_groups_page() {
    let driver = Driver::start();
    let client = open_app(&driver).await;
    let result = count_violation_flow(&client).await;
    let _ = client.close().await;
    result.expect("a CountViolation fixed from the Groups page");
}

/// An attribute of the first element matching `css`, waiting for it to be there (a page of
/// members comes a moment after a filter changes).
async fn attribute(client: &Client, css: &str, name: &str) -> Result<String, String> {
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("{css}: {e}"))?
        .attr(name)
        .await
        .map_err(|e| format!("{css}: {e}"))?
        .ok_or_else(|| format!("{css} has no {name}"))
}

async fn count_violation_flow(client: &Client) -> Result<(), String> {
    click(client, "[data-testid=nav-groups]").await?;
    let support = "[data-testid=group-card][data-group^='Support']";
    wait_text(client, support, "no seat was left for this person").await?;
    wait_text(
        client,
        &format!("{support} [data-testid=group-in-error]"),
        "in error",
    )
    .await?;
    save_screenshot(client, "groups-page.png").await;

    click(client, &format!("{support} [data-testid=group-open]")).await?;
    // Opened on the people in error, each with why and the fix.
    let in_error = "[data-testid=group-member][data-error=CountViolation]";
    wait_text(client, in_error, "Fix: free a seat").await?;
    let stuck = attribute(client, in_error, "data-upn").await?;
    save_screenshot(client, "group-errors.png").await;

    // Free a seat: everyone shown, the first who has one is removed from the group.
    click(client, "[data-testid=group-only-errors]").await?;
    let active = "[data-testid=group-member][data-state=active]";
    let leaving = attribute(client, active, "data-upn").await?;
    click(
        client,
        &format!(
            "[data-testid=group-member][data-upn='{leaving}'] [data-testid=group-member-check]"
        ),
    )
    .await?;
    click(client, "[data-testid=group-remove]").await?;
    wait_text(
        client,
        "[data-testid=review]",
        "loses Exchange Online (Plan 2)",
    )
    .await?;
    wait_text(client, "[data-testid=review-counts]", "1 leaves a group").await?;
    click(client, "[data-testid=review-apply]").await?;
    wait_text_within(
        client,
        "[data-testid=result-summary]",
        "1 changed",
        Duration::from_secs(60),
    )
    .await?;
    click(client, "[data-testid=result-close]").await?;
    // Microsoft (the demo: 3 s) takes the license from the person who left, freeing the seat.
    // Back on the group (opened again on the people in error).
    wait_text(client, in_error, "Fix: free a seat").await?;
    tokio::time::sleep(Duration::from_millis(3500)).await;

    // Reprocess the person who was stuck, and watch them get the seat.
    let row = format!("[data-testid=group-member][data-upn='{stuck}']");
    click(client, &format!("{row} [data-testid=group-member-check]")).await?;
    wait_text(client, "[data-testid=group-selected]", "1 selected").await?;
    click(client, "[data-testid=group-reprocess]").await?;
    wait_text(
        client,
        "[data-testid=group-reprocessed]",
        "try again for 1 person",
    )
    .await?;
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let state = attribute(client, &row, "data-state")
            .await
            .unwrap_or_default();
        if state == "active" {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("{stuck} is still “{state}” after reprocessing"));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    wait_text(client, &row, "Has it").await?;
    save_screenshot(client, "group-fixed.png").await;
    Ok(())
}

/// A role made in Settings (Microsoft 365 E3 without Sway) and given to a person from
/// their panel: reviewed, applied, and the panel then shows E3 with Sway off.
/// Screenshots: roles-settings.png, role-review.png, role-given.png.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus, tauri-driver and a built app: run by `make test`"]
async fn give_a_role_to_a_person_from_the_panel() {
    let driver = Driver::start();
    let client = open_app(&driver).await;
    let result = role_flow(&client).await;
    let _ = client.close().await;
    result.expect("a role given from the panel");
}

async fn role_flow(client: &Client) -> Result<(), String> {
    // Someone in the demo with a usage location and no license at all.
    let tenant = Tenant::generate(&Scenario::demo().tenant);
    let person = tenant
        .users
        .iter()
        .find(|u| {
            u.usage_location.is_some()
                && u.licenses.is_empty()
                && u.group_errors.is_empty()
                && u.account_enabled
        })
        .ok_or("nobody without a license")?;

    click(client, "[data-testid=nav-settings]").await?;
    click(client, "[data-testid=role-new]").await?;
    type_into(client, "input[data-testid=role-name]", "Sales").await?;
    click(client, "[data-testid=role-add-plan]").await?;
    click(client, "[data-testid=role-plan]").await?;
    choose_option(client, "Microsoft 365 E3").await?;
    click(client, "[data-testid=role-editor] summary").await?;
    click(client, "[data-testid=role-app-SWAY]").await?;
    click(client, "[data-testid=role-save]").await?;
    wait_text(
        client,
        "[data-testid=role][data-role=Sales]",
        "Microsoft 365 E3 without Sway",
    )
    .await?;
    client
        .execute(
            "document.querySelector('[data-testid=roles]').scrollIntoView()",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    save_screenshot(client, "roles-settings.png").await;

    open_person(client, &person.user_principal_name).await?;
    click(client, "[data-testid=person-give-role]").await?;
    click(client, "[data-testid=role-choice]").await?;
    choose_option(client, "Sales").await?;
    wait_text(
        client,
        "[data-testid=role-gives]",
        "Microsoft 365 E3 without Sway",
    )
    .await?;
    click(client, "[data-testid=change-review]").await?;
    wait_text(client, "[data-testid=review]", "Gets Microsoft 365 E3").await?;
    wait_text(client, "[data-testid=review]", "switches off").await?;
    save_screenshot(client, "role-review.png").await;
    click(client, "[data-testid=review-apply]").await?;
    wait_text_within(
        client,
        "[data-testid=result-summary]",
        "1 changed",
        Duration::from_secs(60),
    )
    .await?;
    click(client, "[data-testid=result-close]").await?;

    let card = "[data-testid=person-license][data-sku-part=SPE_E3]";
    wait_text(client, card, "Microsoft 365 E3").await?;
    click(client, &format!("{card} [data-testid=apps-summary]")).await?;
    let checked = client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.checked : null;",
            vec![json!(format!("{card} [data-testid=app-SWAY]"))],
        )
        .await
        .map_err(|e| e.to_string())?;
    if checked != json!(false) {
        return Err(format!(
            "Sway should be off in the E3 given by the role: {checked}"
        ));
    }
    let on = client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.checked : null;",
            vec![json!(format!("{card} [data-testid=app-TEAMS1]"))],
        )
        .await
        .map_err(|e| e.to_string())?;
    if on != json!(true) {
        return Err(format!("Teams should be on: {on}"));
    }
    save_screenshot(client, "role-given.png").await;
    Ok(())
}

/// The Groups page with the keyboard alone: to Groups, open the Support group, choose the
/// first person in error with Space, Reprocess with Enter; every tab stop visible on the way.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, D-Bus, tauri-driver and a built app: run by `make test`"]
async fn the_groups_page_with_the_keyboard_alone() {
    let driver = Driver::start();
    let client = open_app(&driver).await;
    let result = groups_by_keys(&client).await;
    let _ = client.close().await;
    result.expect("the Groups page by keys");
}

async fn groups_by_keys(client: &Client) -> Result<(), String> {
    appear(client, "[data-testid=plan-card]").await?;
    tab_to(client, "[data-testid=nav-groups]", 30).await?;
    press(client, ENTER).await?;
    let open = "[data-testid=group-card][data-group^='Support'] [data-testid=group-open]";
    appear(client, open).await?;
    tab_to(client, open, 40).await?;
    press(client, ENTER).await?;
    let first =
        "[data-testid=group-member][data-state=error] input[data-testid=group-member-check]";
    appear(client, first).await?;
    // Opening the group takes the focus to its name.
    let (name, _) = focused(client).await?;
    if !name.contains("Support") {
        return Err(format!("opening the group left focus at {name}"));
    }
    tab_to(client, first, 40).await?;
    press(client, " ").await?;
    wait_text(client, "[data-testid=group-selected]", "1 selected").await?;
    // The actions are above the list: back with Shift+Tab.
    shift_tab_to(client, "[data-testid=group-reprocess]", 21).await?;
    press(client, ENTER).await?;
    wait_text(
        client,
        "[data-testid=group-reprocessed]",
        "try again for 1 person",
    )
    .await?;
    Ok(())
}
