"""A candidate's exam session for locust; bench/load_test.py runs it headless with CSV output.

Each simulated candidate is one seeded account (perf-cand-0001…) and makes one journey, then
rests (a stopped locust user would be replaced by a new one):

  log in (the real login form: CSRF, the production password hasher, django-axes)
  open the exam list, start the 65-question mock (assembly, 65 items inserted)
  LOCUST_QUESTIONS times: think, answer (autosave); sometimes think and change the answer,
  sometimes flag it; move on (the next question, or now and then a jump from the navigator)
  open the review screen, think, submit, open the result and its breakdown

Think time is uniform between LOCUST_THINK_MIN and LOCUST_THINK_MAX seconds (10–30 unless set).
With LOCUST_START_AT (a Unix time) every candidate logs in, waits for that moment, starts within
the next LOCUST_START_WINDOW seconds, answers one question and rests: the start burst.
"""

import itertools
import json
import os
import random
import re
import time

import gevent
from locust import HttpUser, between, events, task
from locust.runners import STATE_RUNNING

BLUEPRINT = int(os.environ.get("LOCUST_BLUEPRINT", "1"))
QUESTIONS = int(os.environ.get("LOCUST_QUESTIONS", "5"))
THINK = (float(os.environ.get("LOCUST_THINK_MIN", "10")), float(os.environ.get("LOCUST_THINK_MAX", "30")))
START_AT = float(os.environ.get("LOCUST_START_AT", "0"))
START_WINDOW = float(os.environ.get("LOCUST_START_WINDOW", "10"))
PASSWORD = os.environ.get("LOCUST_PASSWORD", "")
PREFIX = os.environ.get("LOCUST_PREFIX", "perf-cand")
# Several web servers (bench/scale_out.py): candidate n is served by HOSTS[n % len(HOSTS)].
HOSTS = [host for host in os.environ.get("LOCUST_HOSTS", "").split(",") if host]
TOTAL = 65

accounts = itertools.count(1)
finished = itertools.count(1)  # journeys completed in this run
FINISHED = {"n": 0}
REVISION = re.compile(r'data-revision="(\d+)"')
SELECT = re.compile(r'data-select="(\d+)"')
OPTION = re.compile(r'id="opt-(\d+)"')
ATTEMPT = re.compile(r"/attempts/(\d+)/q/(\d+)/")


def why(response) -> str:
    """The connection error when there was no answer (status 0), else the start of the body."""
    return repr(response.error) if response.status_code == 0 else response.text[:200]


class Candidate(HttpUser):
    wait_time = between(*THINK)

    def on_start(self):
        number = next(accounts)
        self.username = f"{PREFIX}-{number:04d}"
        if HOSTS:
            self.host = self.client.base_url = HOSTS[number % len(HOSTS)]
        self.client.get("/accounts/login/", name="login page")
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            headers={"Referer": self.host + "/accounts/login/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} answered {response.status_code} {why(response)}")
                self.rest()

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def headers(self, **extra) -> dict:
        return {"X-CSRFToken": self.csrf(), "Referer": self.host + "/", **extra}

    # ---- steps --------------------------------------------------------------------------
    def start_exam(self):
        with self.client.post(
            f"/exams/{BLUEPRINT}/start/",
            headers=self.headers(),
            allow_redirects=False,
            name="start",
            catch_response=True,
        ) as response:
            match = ATTEMPT.search(response.headers.get("Location", ""))
            if response.status_code != 302 or not match:
                response.failure(
                    f"start answered {response.status_code} {response.headers.get('Location') or why(response)}"
                )
                self.rest()
        self.attempt = int(match.group(1))
        self.question(int(match.group(2)))

    def question(self, position: int):
        with self.client.get(
            f"/attempts/{self.attempt}/q/{position}/", name="question", catch_response=True
        ) as response:
            revision, select = REVISION.search(response.text), SELECT.search(response.text)
            if response.status_code != 200 or not revision or not select:
                response.failure(f"question {position} answered {response.status_code} {why(response)}")
                self.rest()
        self.position = position
        self.revision = int(revision.group(1))
        self.select = int(select.group(1))
        self.options = len(OPTION.findall(response.text))
        self.flagged = False

    def save(self, *, flag: bool = False):
        self.flagged = self.flagged or flag
        choice = sorted(random.sample(range(self.options), self.select))
        body = {
            "position": self.position,
            "selected": choice,
            "flagged": self.flagged,
            "revision": self.revision,
        }
        with self.client.post(
            f"/attempts/{self.attempt}/save/",
            data=json.dumps(body),
            headers=self.headers(**{"Content-Type": "application/json", "Accept": "application/json"}),
            name="save",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"save answered {response.status_code}: {why(response)}")
                return
            self.revision = response.json()["revision"]

    def finish(self):
        self.client.get(f"/attempts/{self.attempt}/overview/", name="overview")
        self.wait()
        with self.client.post(
            f"/attempts/{self.attempt}/submit/",
            headers=self.headers(Accept="application/json"),
            name="submit",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"submit answered {response.status_code} {why(response)}")
                self.rest()
        self.client.get(f"/attempts/{self.attempt}/result/", name="result")
        self.client.get(f"/attempts/{self.attempt}/result/breakdown/", name="breakdown")

    # ---- the journeys --------------------------------------------------------------------
    @task
    def journey(self):
        if START_AT:
            self.burst()
        self.client.get("/exams/", name="exam list")
        self.wait()
        self.start_exam()
        for _ in range(QUESTIONS):
            self.wait()
            self.save()
            if random.random() < 0.3:  # second thoughts
                self.wait()
                self.save()
            if random.random() < 0.2:
                self.wait()
                self.save(flag=True)
            self.wait()
            if random.random() < 0.15:  # a jump from the navigator
                self.question(random.randint(1, TOTAL))
            else:
                self.question(self.position % TOTAL + 1)
        self.finish()
        self.rest()

    def burst(self):
        gevent.sleep(max(0.0, START_AT - time.time()) + random.uniform(0, START_WINDOW))
        self.start_exam()
        self.save()
        self.rest()

    def rest(self):
        """Done: stay idle. A user that stopped would be replaced by a new one (a new account)."""
        FINISHED["n"] = next(finished)
        while True:
            gevent.sleep(3600)


@events.test_start.add_listener
def quit_when_everyone_is_done(environment, **kwargs):
    """Every candidate makes one journey: end the run when all have, rather than at --run-time."""

    def watch():
        while True:
            gevent.sleep(2)
            runner = environment.runner
            target = environment.parsed_options.num_users if environment.parsed_options else None
            if runner is not None and runner.state == STATE_RUNNING and FINISHED["n"] >= (target or 0) > 0:
                gevent.sleep(3)  # let the CSV writer (every second) record the last requests
                runner.quit()
                return

    gevent.spawn(watch)
