"""The labelling page in a real browser: headless chromium labels by key and by click, skips, reloads, and
survives a server restart; the session folder holds every answer afterwards."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
REPO = Path(__file__).resolve().parents[2]
WAIT = 20  # seconds an element may take to appear (a loaded CI machine); most waits end in milliseconds
TEXTS = [f"review {i}: the {'food was great' if i % 2 else 'service was slow'}" for i in range(30)]


def browser_or_skip():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    if missing:
        pytest.skip("no chromium/chromedriver: install Debian's chromium and chromium-driver (.ci/run does)")
    pytest.importorskip("starlette")
    pytest.importorskip("uvicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data, folder, port):
    command = [sys.executable, "-m", "alfunc", "label", str(data), "--text", "text", "--classes", "good,bad"]
    command += ["--session", str(folder), "--port", str(port), "--batch", "2", "--fit-every", "3"]
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"alfunc label exited with {server.returncode}: {server.stderr.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/progress", timeout=2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("alfunc label did not answer within 60 s")


@pytest.fixture
def driver():
    browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="alfunc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    chrome = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()
        shutil.rmtree(profile, ignore_errors=True)


def shown_id(driver, other_than=None):
    """The id of the record the page shows once it is ready (and differs from ``other_than``)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def ready(page):
        box = page.find_element(By.ID, "record")
        value = box.get_attribute("data-id")
        if box.get_attribute("data-state") == "ready" and value and value != other_than:
            return value
        return False

    return WebDriverWait(driver, WAIT).until(ready)


def progress_says(driver, labeled):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT).until(
        lambda page: page.find_element(By.ID, "progress").get_attribute("data-labeled") == str(labeled)
    )
    return driver.find_element(By.ID, "progress").text


def test_label_by_key_and_click_skip_reload_and_restart_then_the_session_holds_it_all(driver, tmp_path):
    from selenium.webdriver.common.by import By

    data = tmp_path / "reviews.csv"
    data.write_text("text\n" + "".join(f"{text}\n" for text in TEXTS))
    folder, port = tmp_path / "reviews-session", free_port()
    expected, skipped = {}, []

    def press(key, label=None):
        before = shown_id(driver)
        driver.find_element(By.TAG_NAME, "body").send_keys(key)
        if label is not None:
            expected[int(before)] = label
        else:
            skipped.append(int(before))
        return shown_id(driver, other_than=before)

    def click(label):
        before = shown_id(driver)
        driver.find_element(By.CSS_SELECTOR, f"#buttons button[data-label='\"{label}\"']").click()
        expected[int(before)] = label
        return shown_id(driver, other_than=before)

    server = start_server(data, folder, port)
    try:
        driver.get(f"http://127.0.0.1:{port}/")
        first = shown_id(driver)
        assert driver.find_element(By.ID, "record").text == TEXTS[int(first)]
        assert driver.find_element(By.ID, "title").text == "reviews.csv"
        press("1", "good")  # digit key
        press("b", "bad")  # first letter
        click("good")  # button
        press("s")  # skip
        progress = progress_says(driver, 3)
        assert "labelled 3 / asked" in progress and f"pool {len(TEXTS)}" in progress
        waiting = shown_id(driver)
        driver.refresh()  # a reload shows the same record: the page holds nothing of its own
        assert shown_id(driver) == waiting
        click("bad")
        waiting = shown_id(driver)
        assert progress_says(driver, 4)
    finally:
        server.send_signal(signal.SIGKILL)  # a crash, not a clean stop
        server.wait(timeout=30)

    server = start_server(data, folder, port)  # the next day: same folder, same page address
    try:
        driver.get(f"http://127.0.0.1:{port}/")
        assert shown_id(driver) == waiting  # the record that was out before the crash
        assert "labelled 4 / asked" in progress_says(driver, 4)
        press("g", "good")
        press("2", "bad")
        assert "estimated accuracy" in progress_says(driver, 6)
        curve = driver.find_element(By.ID, "curve")
        assert curve.get_attribute("src").endswith("labels=6&fits=2")
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C: uvicorn stops, the command closes the session
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "stopped; 6 labels saved" in out

    import pandas as pd

    from alfunc.experiments.files import text_estimator
    from alfunc.session import Session, events_of

    told = {event["id"]: event["label"] for event in events_of(folder) if event["event"] == "tell"}
    assert told == expected
    assert [event["id"] for event in events_of(folder) if event["event"] == "skip"] == skipped
    pool = pd.read_csv(data)["text"].fillna("").astype(str)  # the pool alfunc label makes of the file
    with Session.open(folder, pool, text_estimator()) as session:  # reopens: the pool and model are the same
        assert session.labels == expected and session.skipped == skipped and len(session.history) == 2
