"""The fake Slack answers a real slack_sdk WebClient as Slack would, and records it all."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from urllib.error import HTTPError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from tests.bot.fakeslack import FILE_UPLOAD, RESPONSE_URL, FakeSlack, iter_blocks_text
from tests.bot.signed import get, post

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*SSO* in Q1"}}
MODAL = {
    "type": "modal",
    "callback_id": "propose",
    "title": {"type": "plain_text", "text": "Propose"},
    "submit": {"type": "plain_text", "text": "Propose"},
    "private_metadata": '{"channel": "C1"}',
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}
HOME = {"type": "home", "blocks": [SECTION]}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.url, token=fake.workspace.bot_token)


def test_url_is_a_loopback_web_api_base(fake: FakeSlack) -> None:
    assert fake.url.startswith("http://127.0.0.1:")
    assert fake.url.endswith("/api/")


def test_auth_test_tells_two_workspaces_apart(fake: FakeSlack) -> None:
    other = fake.add_workspace(team_id="T0GLOBEX", name="Globex")
    acme = WebClient(base_url=fake.url, token=fake.workspace.bot_token).auth_test()
    globex = WebClient(base_url=fake.url, token=other.bot_token).auth_test()
    assert (acme["team_id"], acme["user_id"], acme["bot_id"]) == ("T0ACME", "U0ACMEBOT", "B0ACME")
    assert (globex["team_id"], globex["user_id"], globex["bot_id"]) == (
        "T0GLOBEX",
        "U0GLOBEXBOT",
        "B0GLOBEX",
    )
    assert [c.team_id for c in fake.calls("auth.test")] == ["T0ACME", "T0GLOBEX"]
    assert fake.calls("auth.test")[1].token == other.bot_token


def test_unknown_or_missing_token_is_refused(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as unknown:
        WebClient(base_url=fake.url, token="xoxb-nobody").auth_test()
    assert unknown.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=fake.url).chat_postMessage(channel="C1", text="hi")
    assert missing.value.response["error"] == "not_authed"


def test_unknown_method_answers_unknown_method(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        client.api_call("reactions.add", params={"name": "tada"})
    assert error.value.response["error"] == "unknown_method"
    assert fake.calls("reactions.add")[0].body == {"name": "tada"}


def test_post_update_delete_a_message(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="planning…", blocks=[SECTION])
    assert posted["channel"] == "C1"
    assert posted["message"]["bot_id"] == "B0ACME"
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="optimal")
    assert (updated["channel"], updated["ts"]) == ("C1", posted["ts"])
    [message] = fake.messages_to("C1")
    assert (message.text, message.edits, message.blocks) == ("optimal", 1, [SECTION])
    second = client.chat_postMessage(channel="C1", text="second")
    assert second["ts"] > posted["ts"]
    deleted = client.chat_delete(channel="C1", ts=posted["ts"])
    assert deleted["ts"] == posted["ts"]
    assert [m.text for m in fake.messages_to("C1")] == ["second"]
    with pytest.raises(SlackApiError) as error:
        client.chat_update(channel="C1", ts=posted["ts"], text="gone")
    assert error.value.response["error"] == "message_not_found"


def test_call_records_method_headers_parsed_body_and_token(
    fake: FakeSlack, client: WebClient
) -> None:
    form_params = {"channel": "C1", "text": "hi", "blocks": json.dumps([SECTION])}
    client.api_call("chat.postMessage", params=form_params)
    client.chat_postMessage(channel="C2", text="as json")  # slack_sdk posts JSON here
    form, as_json = fake.calls("chat.postMessage")
    assert form.body == {"channel": "C1", "text": "hi", "blocks": [SECTION]}
    assert form.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form.headers["authorization"] == f"Bearer {fake.workspace.bot_token}"
    assert form.token == fake.workspace.bot_token
    assert (form.status, form.ok, form.response["ts"]) == (200, True, form.response["ts"])
    assert as_json.body == {"channel": "C2", "text": "as json"}
    assert as_json.headers["content-type"].startswith("application/json")


def test_a_message_needs_content_within_block_kit_limits(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as empty, pytest.warns(UserWarning, match="`text`"):
        client.chat_postMessage(channel="C1")
    assert empty.value.response["error"] == "no_text"
    too_many = [SECTION] * 51
    with pytest.raises(SlackApiError) as blocks:
        client.chat_postMessage(channel="C1", text="t", blocks=too_many)
    assert blocks.value.response["error"] == "invalid_blocks"
    long_section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackApiError) as long:
        client.chat_postMessage(channel="C1", text="t", blocks=[long_section])
    assert "3001" in long.value.response["response_metadata"]["messages"][0]


def test_ephemeral_message_is_seen_by_one_user(fake: FakeSlack, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C1", user="U0BOB", text="usage: /roadmap …")
    [message] = fake.messages_to("C1")
    assert message.ts == answer["message_ts"]
    assert (message.ephemeral_to, message.via) == ("U0BOB", "chat.postEphemeral")


def test_dm_by_user_id_and_by_conversations_open_land_in_one_channel(
    fake: FakeSlack, client: WebClient
) -> None:
    opened = client.conversations_open(users="U0BOB")
    again = client.conversations_open(users="U0BOB")
    other = client.conversations_open(users="U0CAROL")
    assert opened["channel"]["id"].startswith("D")
    assert again["channel"]["id"] == opened["channel"]["id"]
    assert other["channel"]["id"] != opened["channel"]["id"]
    posted = client.chat_postMessage(channel="U0BOB", text="SSO was approved")
    assert posted["channel"] == opened["channel"]["id"]
    assert [m.text for m in fake.messages_to("U0BOB")] == ["SSO was approved"]
    assert fake.dm_channel("U0BOB") == opened["channel"]["id"]


def test_users_info_registered_generated_and_unknown(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U0CIO", name="cio", real_name="Dana Chief", is_admin=True)
    cio = client.users_info(user="U0CIO")["user"]
    assert (cio["real_name"], cio["is_admin"], cio["team_id"]) == ("Dana Chief", True, "T0ACME")
    assert client.users_info(user="U0ANYONE")["user"]["id"] == "U0ANYONE"
    with pytest.raises(SlackApiError) as error:
        client.users_info(user="not-a-user")
    assert error.value.response["error"] == "user_not_found"


def test_views_open_update_push_with_single_use_triggers(
    fake: FakeSlack, client: WebClient
) -> None:
    opened = client.views_open(trigger_id="1.2.abc", view=MODAL)["view"]
    assert opened["id"].startswith("V")
    assert (opened["callback_id"], opened["private_metadata"]) == ("propose", '{"channel": "C1"}')
    with pytest.raises(SlackApiError) as reused:
        client.views_open(trigger_id="1.2.abc", view=MODAL)
    assert reused.value.response["error"] == "expired_trigger_id"

    changed = {**MODAL, "title": {"type": "plain_text", "text": "Edit"}}
    updated = client.views_update(view_id=opened["id"], view=changed, hash=opened["hash"])["view"]
    assert (updated["id"], updated["title"]["text"]) == (opened["id"], "Edit")
    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=opened["id"], view=MODAL, hash=opened["hash"])
    assert stale.value.response["error"] == "hash_conflict"
    assert fake.view(opened["id"])["title"]["text"] == "Edit"

    pushed = client.views_push(trigger_id="1.3.def", view=MODAL)["view"]
    assert (pushed["root_view_id"], pushed["previous_view_id"]) == (opened["id"], opened["id"])
    assert [v["id"] for v in fake.open_views()] == [opened["id"], pushed["id"]]


def test_a_modal_title_over_24_characters_is_refused(client: WebClient) -> None:
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "Propose a new initiative!"}}
    with pytest.raises(SlackApiError) as error:
        client.views_open(trigger_id="9.9.x", view=long_title)
    assert error.value.response["error"] == "invalid_arguments"


def test_views_publish_keeps_the_home_tab_per_user(fake: FakeSlack, client: WebClient) -> None:
    published = client.views_publish(user_id="U0CIO", view=HOME)["view"]
    assert published["type"] == "home"
    assert fake.home_view("U0CIO")["blocks"] == [SECTION]
    assert fake.home_view("U0BOB") is None
    assert list(iter_blocks_text(fake.home_view("U0CIO")["blocks"])) == ["*SSO* in Q1"]


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    answer = client.files_upload_v2(
        content=png,
        filename="roadmap.png",
        title="Roadmap Gantt",
        channel="C1",
        initial_comment="The roadmap",
    )
    [uploaded] = fake.uploaded_files()
    assert uploaded.data == png
    assert (uploaded.filename, uploaded.title, uploaded.channels) == (
        "roadmap.png",
        "Roadmap Gantt",
        ("C1",),
    )
    assert uploaded.initial_comment == "The roadmap"
    assert answer["file"]["id"] == uploaded.file_id
    assert [c.method for c in fake.calls()] == [
        "files.getUploadURLExternal",
        FILE_UPLOAD,
        "files.completeUploadExternal",
    ]
    assert fake.calls("files.getUploadURLExternal")[0].body["length"] == str(len(png))


def test_completing_an_upload_that_never_happened_fails(client: WebClient) -> None:
    url = client.files_getUploadURLExternal(filename="a.png", length=3)
    with pytest.raises(SlackApiError) as error:
        client.files_completeUploadExternal(files=[{"id": url["file_id"]}], channel_id="C1")
    assert error.value.response["error"] == "file_not_found"


def test_response_url_posts_are_recorded_and_land_where_slack_puts_them(
    fake: FakeSlack, client: WebClient
) -> None:
    original = client.chat_postMessage(channel="C1", text="Approve SOC-7?")
    url = fake.response_url(channel="C1", user_id="U0CIO", message_ts=original["ts"])
    assert url.startswith(f"{fake.root}/response/")
    webhook = WebhookClient(url)
    assert webhook.send(text="only you see this").body == "ok"
    assert webhook.send(text="for everyone", response_type="in_channel").status_code == 200
    assert webhook.send(text="Approved by <@U0CIO>", replace_original=True).status_code == 200
    texts = [(m.text, m.ephemeral_to, m.edits) for m in fake.messages_to("C1")]
    assert texts == [
        ("Approved by <@U0CIO>", None, 1),
        ("only you see this", "U0CIO", 0),
        ("for everyone", None, 0),
    ]
    assert [c.body["text"] for c in fake.responses(url)] == [
        "only you see this",
        "for everyone",
        "Approved by <@U0CIO>",
    ]
    assert all(c.team_id == "T0ACME" for c in fake.responses())


def test_response_url_is_good_for_five_posts(fake: FakeSlack) -> None:
    webhook = WebhookClient(fake.response_url(channel="C1", user_id="U0CIO"))
    statuses = [webhook.send(text=f"update {i}").status_code for i in range(6)]
    assert statuses == [200] * 5 + [404]
    assert WebhookClient(f"{fake.root}/response/R-unknown").send(text="x").status_code == 404


def test_a_rate_limit_is_retried_by_the_rate_limit_handler(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    answer = client.chat_postMessage(channel="C1", text="after a retry")
    limited, accepted = fake.calls("chat.postMessage")
    assert (limited.status, limited.response["error"]) == (429, "ratelimited")
    assert accepted.status == 200
    assert answer["ts"] == accepted.response["ts"]
    assert [m.text for m in fake.messages_to("C1")] == ["after a retry"]


def test_a_rate_limit_without_a_handler_surfaces_with_retry_after(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.fail_next("chat.update", status=429, retry_after=7, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as error:
            client.chat_update(channel="C1", ts="1.2", text="x")
        assert error.value.response.status_code == 429
        assert error.value.response.headers["retry-after"] == "7"
    with pytest.raises(SlackApiError) as third:  # the fault is used up: a normal answer
        client.chat_update(channel="C1", ts="1.2", text="x")
    assert third.value.response["error"] == "message_not_found"


def test_injected_error_code_and_server_error(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", status=200, error="channel_not_found")
    fake.fail_next("views.publish", status=503)
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel="C404", text="x")
    assert error.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as server:
        client.views_publish(user_id="U1", view=HOME)
    assert server.value.response.status_code == 503
    with pytest.raises(ValueError):
        fake.fail_next("chat.postMessage", status=200)


def test_a_dropped_connection_is_retried_by_the_connection_error_handler(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.drop_next("chat.postMessage")
    client.retry_handlers.append(
        ConnectionErrorRetryHandler(
            max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0)
        )
    )
    client.chat_postMessage(channel="C1", text="made it")
    dropped, answered = fake.calls("chat.postMessage")
    assert (dropped.status, dropped.response) == (None, None)
    assert answered.status == 200
    assert [m.text for m in fake.messages_to("C1")] == ["made it"]


def test_a_dropped_connection_without_a_handler_raises(fake: FakeSlack) -> None:
    fake.drop_next("auth.test")
    client = WebClient(base_url=fake.url, token=fake.workspace.bot_token, retry_handlers=[])
    with pytest.raises(ConnectionError):
        client.auth_test()


def test_response_url_and_upload_faults(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next(RESPONSE_URL, status=500)
    assert (
        WebhookClient(fake.response_url(channel="C1", user_id="U1")).send(text="x").status_code
        == 500
    )
    fake.fail_next(FILE_UPLOAD, status=500)
    with pytest.raises(HTTPError, match="500"):
        client.files_upload_v2(content=b"abc", filename="a.png", channel="C1")
    assert fake.uploaded_files() == []


def test_wait_for_sees_calls_made_from_another_thread(fake: FakeSlack, client: WebClient) -> None:
    start = threading.Event()

    def background_job() -> None:
        start.wait()
        for i in range(3):
            client.chat_postMessage(channel="C1", text=f"progress {i}")

    worker = threading.Thread(target=background_job)
    worker.start()
    start.set()
    calls = fake.wait_for("chat.postMessage", count=3)
    worker.join()
    assert sorted(c.body["text"] for c in calls) == ["progress 0", "progress 1", "progress 2"]
    [last] = fake.wait_for("chat.postMessage", where=lambda c: c.body["text"] == "progress 2")
    assert last.ok


def test_wait_for_says_what_arrived_instead(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"expected 1 call\(s\) of chat.update, got 0.*auth"):
        fake.wait_for("chat.update", timeout=0.2)


def test_concurrent_posts_are_all_recorded_with_distinct_ts(
    fake: FakeSlack, client: WebClient
) -> None:
    results: list[str] = []
    lock = threading.Lock()

    def post_one(i: int) -> None:
        ts = client.chat_postMessage(channel="C1", text=str(i))["ts"]
        with lock:
            results.append(ts)

    threads = [threading.Thread(target=post_one, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 20
    assert len(fake.calls("chat.postMessage")) == 20
    assert len(fake.messages_to("C1")) == 20


def test_calls_filter_by_workspace_and_reset_forgets(fake: FakeSlack) -> None:
    other = fake.add_workspace(team_id="T0GLOBEX")
    WebClient(base_url=fake.url, token=fake.workspace.bot_token).chat_postMessage(
        channel="C1", text="acme"
    )
    WebClient(base_url=fake.url, token=other.bot_token).chat_postMessage(
        channel="C1", text="globex"
    )
    assert [c.body["text"] for c in fake.calls(team_id="T0GLOBEX")] == ["globex"]
    assert [m.text for m in fake.messages_to("C1", team_id="T0GLOBEX")] == ["globex"]
    assert [m.text for m in fake.messages_to("C1")] == ["acme"]
    fake.fail_next("auth.test", status=500)
    fake.reset()
    assert fake.calls() == [] and fake.messages_to("C1") == []
    assert WebClient(base_url=fake.url, token=other.bot_token).auth_test()["team_id"] == "T0GLOBEX"


def test_unknown_paths_and_plain_http(fake: FakeSlack) -> None:
    assert get(f"{fake.root}/nothing/here").status == 404
    reply = post(
        f"{fake.url}auth.test",
        body=f"token={fake.workspace.bot_token}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (reply.status, reply.json()["team_id"]) == (200, "T0ACME")
    assert fake.calls("auth.test")[0].token == fake.workspace.bot_token


def test_a_multipart_upload_stores_the_file_part(fake: FakeSlack, client: WebClient) -> None:
    step1 = client.files_getUploadURLExternal(filename="plan.csv", length=9)
    boundary = "----townhall"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="plan.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
        "key,phase\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    reply = post(
        step1["upload_url"],
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert (reply.status, reply.text) == (200, "OK - 9")
    client.files_completeUploadExternal(files=[{"id": step1["file_id"]}], channel_id="C1")
    [uploaded] = fake.uploaded_files()
    assert (uploaded.data, uploaded.title) == (b"key,phase", "plan.csv")
