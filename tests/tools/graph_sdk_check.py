"""Drives the Graph emulator with Microsoft's own Graph SDK for Python (msgraph-sdk), so that
what real clients send is what the emulator is built for: the SDK's request shapes, headers
and bodies (a PATCH always carries "@odata.type"), and its reading of Graph's answers and
errors.

Usage: python graph_sdk_check.py path/to/licensedesk-cli
Starts `licensedesk-cli sim serve --scenario demo`, runs the checks, stops it. Exit 0 when
every check passed; each failure is printed.
"""

import asyncio
import json
import subprocess
import sys
import uuid

from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.assigned_license import AssignedLicense
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.user import User
from msgraph.generated.users.item.assign_license.assign_license_post_request_body import (
    AssignLicensePostRequestBody,
)
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from kiota_abstractions.base_request_configuration import RequestConfiguration


class EmulatorToken(AccessTokenProvider):
    """The emulator's token for requests to the emulator's host, and nowhere else."""

    def __init__(self, token: str, host: str):
        self._token = token
        self._hosts = AllowedHostsValidator([host])

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self._token if self._hosts.is_url_host_valid(uri) else ""

    def get_allowed_hosts_validator(self):
        return self._hosts


FAILURES = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        FAILURES.append(what)


async def run(endpoint: str, token: str) -> None:
    host = endpoint.split("://", 1)[1]
    auth = BaseBearerTokenAuthenticationProvider(EmulatorToken(token, host.split(":")[0]))
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = endpoint + "/v1.0"
    graph = GraphServiceClient(request_adapter=adapter)

    skus = await graph.subscribed_skus.get()
    check(skus is not None and len(skus.value) == 14, "subscribedSkus lists the demo's 14 plans")
    e3 = next(s for s in skus.value if s.sku_part_number == "SPE_E3")
    teams = next(s for s in skus.value if s.sku_part_number == "Teams_Ess")
    # The demo's E3 is nearly full by design: two seats more than are given.
    check(
        e3.prepaid_units.enabled is not None and e3.prepaid_units.enabled == e3.consumed_units + 2,
        "prepaidUnits are read by the SDK's model",
    )

    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        select=["id", "displayName", "userPrincipalName", "usageLocation", "assignedLicenses", "licenseAssignmentStates"],
        top=999,
    )
    users = await graph.users.get(request_configuration=RequestConfiguration(query_parameters=query))
    people = users.value
    check(len(people) == 250, "users with $select and $top reads all 250 people")
    with_group = [u for u in people if any(s.assigned_by_group for s in (u.license_assignment_states or []))]
    check(len(with_group) > 0, "licenseAssignmentStates name the group a license comes from")

    # Sign-in activity (the Reclaim page): selected, in pages of at most 500, read by the
    # SDK's model; absent for who never signed in.
    activity = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        select=["id", "accountEnabled", "createdDateTime", "signInActivity"], top=500,
    )
    signed = await graph.users.get(request_configuration=RequestConfiguration(query_parameters=activity))
    check(
        signed is not None
        and len(signed.value) == 250
        and all(u.created_date_time is not None for u in signed.value)
        and any(u.sign_in_activity is None for u in signed.value)
        and any(u.sign_in_activity is not None
                and u.sign_in_activity.last_successful_sign_in_date_time is not None
                for u in signed.value),
        "signInActivity and createdDateTime are read by the SDK's model",
    )
    try:
        too_big = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(select=["id", "signInActivity"], top=999)
        await graph.users.get(request_configuration=RequestConfiguration(query_parameters=too_big))
        check(False, "a page of 999 with signInActivity is refused")
    except ODataError as e:
        check(e.response_status_code == 400, "a page of 999 with signInActivity is refused")
    subscriptions = await graph.directory.subscriptions.get()
    check(
        subscriptions is not None
        and sum(1 for s in subscriptions.value if s.sku_part_number == "SPE_E3") == 2
        and any(s.is_trial for s in subscriptions.value)
        and all(s.next_lifecycle_date_time is not None for s in subscriptions.value),
        "directory/subscriptions are read by the SDK's model",
    )

    # $search, as Microsoft documents it for the SDK: a quoted clause, the eventual header, $count.
    someone = people[7]
    word = someone.display_name.split()[-1][:4]
    search = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        search=f'"displayName:{word}"', count=True, select=["id", "displayName"], top=999,
    )
    config = RequestConfiguration(query_parameters=search)
    config.headers.add("ConsistencyLevel", "eventual")
    found = await graph.users.get(request_configuration=config)
    check(found is not None and any(u.id == someone.id for u in found.value)
          and found.odata_count == len(found.value),
          "users with $search (ConsistencyLevel: eventual) finds a person by a word of the name")
    try:
        await graph.users.get(request_configuration=RequestConfiguration(query_parameters=search))
        check(False, "$search without the eventual header is refused")
    except ODataError as e:
        check(e.response_status_code == 400, "$search without ConsistencyLevel: eventual is refused")

    # The group that gives Microsoft 365 E3 (the demo has other groups, some in error).
    group_id = next(
        s.assigned_by_group
        for u in with_group
        for s in u.license_assignment_states
        if s.assigned_by_group and str(s.sku_id) == str(e3.sku_id)
    )
    group = await graph.groups.by_group_id(group_id).get()
    check(group is not None and group.display_name == "Sales – Microsoft 365 E3", "the group is read by its id")
    members = await graph.groups.by_group_id(group_id).members.get()
    check(members is not None and len(members.value) > 0, "the group's members are read")

    await group_licensing(graph, people, skus.value)

    nowhere = next(u for u in people if not u.usage_location and not u.assigned_licenses)
    body = AssignLicensePostRequestBody(
        add_licenses=[AssignedLicense(sku_id=uuid.UUID(teams.sku_id.__str__()), disabled_plans=[])],
        remove_licenses=[],
    )
    try:
        await graph.users.by_user_id(nowhere.id).assign_license.post(body)
        check(False, "a license without a usage location is refused")
    except ODataError as e:
        message = e.error.message if e.error else ""
        check(e.response_status_code == 400 and "invalid usage location" in message,
              "a license without a usage location is refused with Graph's words")

    # The SDK sends "@odata.type": "#microsoft.graph.user" with every PATCH.
    await graph.users.by_user_id(nowhere.id).patch(User(usage_location="NL"))
    # Graph returns usageLocation only when selected.
    selected = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=["id", "usageLocation"])
    again = await graph.users.by_user_id(nowhere.id).get(
        request_configuration=RequestConfiguration(query_parameters=selected)
    )
    check(again.usage_location == "NL", "PATCH usageLocation from the SDK is accepted")

    assigned = await graph.users.by_user_id(nowhere.id).assign_license.post(body)
    check(assigned is not None and assigned.id == nowhere.id, "assignLicense answers with the user")
    details = await graph.users.by_user_id(nowhere.id).license_details.get()
    check(details is not None and any(d.sku_part_number == "Teams_Ess" for d in details.value),
          "licenseDetails lists the new license with its service plans")


async def group_licensing(graph, people, skus) -> None:
    """Group-based licensing as the SDK drives it: the license groups (an advanced query),
    members added and removed by reference with Graph's errors, processing that takes time,
    and reprocessing."""
    from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
    from msgraph.generated.models.reference_create import ReferenceCreate
    from msgraph.generated.groups.item.assign_license.assign_license_post_request_body import (
        AssignLicensePostRequestBody as GroupAssignLicense,
    )

    licensed = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(
        filter="assignedLicenses/$count ne 0", count=True,
        select=["id", "displayName", "assignedLicenses", "membershipRule", "groupTypes"],
    )
    config = RequestConfiguration(query_parameters=licensed)
    config.headers.add("ConsistencyLevel", "eventual")
    groups = await graph.groups.get(request_configuration=config)
    names = sorted(g.display_name for g in groups.value)
    check(len(names) == 4 and all(g.assigned_licenses for g in groups.value),
          f"the license groups are listed with their licenses ({len(names)})")
    try:
        await graph.groups.get(request_configuration=RequestConfiguration(query_parameters=licensed))
        check(False, "the license groups' filter without ConsistencyLevel: eventual is refused")
    except ODataError as e:
        check(e.response_status_code == 400,
              "the license groups' filter without ConsistencyLevel: eventual is refused")

    support = next(g for g in groups.value if g.display_name.startswith("Support"))
    dynamic = next(g for g in groups.value if g.membership_rule)
    newcomer = next(u for u in people if u.usage_location and not u.assigned_licenses)
    # The SDK names the member as https://graph.microsoft.com/v1.0/directoryObjects/{id}.
    reference = ReferenceCreate(odata_id=f"https://graph.microsoft.com/v1.0/directoryObjects/{newcomer.id}")
    await graph.groups.by_group_id(support.id).members.ref.post(reference)
    try:
        await graph.groups.by_group_id(support.id).members.ref.post(reference)
        check(False, "adding a member twice is refused")
    except ODataError as e:
        message = e.error.message if e.error else ""
        check(e.response_status_code == 400 and "already exist" in message,
              "adding a member twice is refused with Graph's words")
    try:
        await graph.groups.by_group_id(dynamic.id).members.ref.post(reference)
        check(False, "adding a member to a dynamic group is refused")
    except ODataError as e:
        check(e.response_status_code == 403, "adding a member to a dynamic group is refused (403)")

    # Processing takes the scenario's delay (demo: 3 s): no state from the group until then.
    states = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
        select=["id", "licenseAssignmentStates"])
    read = RequestConfiguration(query_parameters=states)
    before = await graph.users.by_user_id(newcomer.id).get(request_configuration=read)
    check(not any(s.assigned_by_group == support.id for s in (before.license_assignment_states or [])),
          "a new member has no state from the group before Microsoft has processed it")
    await asyncio.sleep(3.5)
    after = await graph.users.by_user_id(newcomer.id).get(request_configuration=read)
    mine = [s for s in (after.license_assignment_states or []) if s.assigned_by_group == support.id]
    check(len(mine) == 1 and mine[0].state == "Error" and mine[0].error == "CountViolation",
          "after processing, the member is in CountViolation (the group's plan has no seat left)")

    await graph.users.by_user_id(newcomer.id).reprocess_license_assignment.post()
    check(True, "reprocessLicenseAssignment is accepted from the SDK")

    await graph.groups.by_group_id(support.id).members.by_directory_object_id(newcomer.id).ref.delete()
    try:
        await graph.groups.by_group_id(support.id).members.by_directory_object_id(newcomer.id).ref.delete()
        check(False, "removing someone who is not a member is refused")
    except ODataError as e:
        check(e.response_status_code == 404, "removing someone who is not a member is refused (404)")

    # A group's licenses changed from the SDK: Teams Essentials added to the Support group.
    teams = next(s for s in skus if s.sku_part_number == "Teams_Ess")
    body = GroupAssignLicense(
        add_licenses=[AssignedLicense(sku_id=uuid.UUID(str(teams.sku_id)), disabled_plans=[])],
        remove_licenses=[],
    )
    changed = await graph.groups.by_group_id(support.id).assign_license.post(body)
    check(changed is not None and changed.id == support.id, "a group's assignLicense answers with the group")
    again = await graph.groups.by_group_id(support.id).get()
    check(any(str(l.sku_id) == str(teams.sku_id) for l in (again.assigned_licenses or [])),
          "the group now gives Teams Essentials")


def main() -> int:
    cli = sys.argv[1]
    server = subprocess.Popen([cli, "sim", "serve", "--scenario", "demo"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        hello = json.loads(server.stdout.readline())
        asyncio.run(run(hello["graphEndpoint"], hello["accessToken"]))
    finally:
        server.terminate()
        server.wait()
    if FAILURES:
        print(f"{len(FAILURES)} failed", file=sys.stderr)
        return 1
    print("Microsoft's Graph SDK: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
