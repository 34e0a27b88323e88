#!/usr/bin/env python3
"""End-to-end SWF scenarios through boto3 against swf-local.

Usage: python3 test/python/boto3_scenarios.py <endpoint_url>

Runs, with deciders written here in Python:
  1. child workflow: a Parent run starts a Child run; the child completes; the parent completes
     with a result built from the child's result (ChildWorkflowExecutionCompleted).
  2. continue-as-new: a Looper run continues as new until its input reaches 2, then completes.
  3. empty polls: decision and activity polls on a list with no work, as boto3 returns them.

Prints one JSON summary on stdout. Exits 1 (with the reason on stderr) if anything fails.
"""
import json
import sys
import time
import uuid

import boto3
from botocore.config import Config

DEADLINE_S = 25


def client_for(endpoint):
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDLOCAL",
        aws_secret_access_key="local-secret",
        config=Config(retries={"max_attempts": 1}, read_timeout=70, connect_timeout=5),
    )


def new_events(task):
    """Events the decider has not seen: after the previous decision task's DecisionTaskStarted."""
    prev = task.get("previousStartedEventId", 0) or 0
    return [e for e in task["events"] if e["eventId"] > prev]


def poll(swf, domain, task_list):
    """One decision task (following nextPageToken), or None when the poll came back empty."""
    task = swf.poll_for_decision_task(domain=domain, taskList={"name": task_list}, identity="boto3-decider")
    if not task.get("taskToken"):
        return None
    while task.get("nextPageToken"):
        page = swf.poll_for_decision_task(
            domain=domain, taskList={"name": task_list}, nextPageToken=task["nextPageToken"]
        )
        task["events"].extend(page["events"])
        task["nextPageToken"] = page.get("nextPageToken")
    return task


def history(swf, domain, execution):
    events, token = [], None
    while True:
        kwargs = {"domain": domain, "execution": execution}
        if token:
            kwargs["nextPageToken"] = token
        page = swf.get_workflow_execution_history(**kwargs)
        events.extend(page["events"])
        token = page.get("nextPageToken")
        if not token:
            return events


def register(swf, domain):
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    for name, task_list in (("Parent", "parent"), ("Child", "child"), ("Looper", "loop")):
        swf.register_workflow_type(
            domain=domain,
            name=name,
            version="1",
            defaultTaskList={"name": task_list},
            defaultExecutionStartToCloseTimeout="300",
            defaultTaskStartToCloseTimeout="30",
            defaultChildPolicy="TERMINATE",
        )


def child_scenario(swf, domain, suffix):
    parent_id = "parent-" + suffix
    child_id = "child-" + suffix
    parent_run = swf.start_workflow_execution(
        domain=domain, workflowId=parent_id, workflowType={"name": "Parent", "version": "1"}, input="hello"
    )["runId"]
    parent = {"workflowId": parent_id, "runId": parent_run}

    def decide_parent(task):
        decisions = []
        for e in new_events(task):
            kind = e["eventType"]
            if kind == "WorkflowExecutionStarted":
                decisions.append(
                    {
                        "decisionType": "StartChildWorkflowExecution",
                        "startChildWorkflowExecutionDecisionAttributes": {
                            "workflowType": {"name": "Child", "version": "1"},
                            "workflowId": child_id,
                            "input": e["workflowExecutionStartedEventAttributes"]["input"] + " from parent",
                        },
                    }
                )
            elif kind == "ChildWorkflowExecutionCompleted":
                result = e["childWorkflowExecutionCompletedEventAttributes"]["result"]
                decisions.append(
                    {
                        "decisionType": "CompleteWorkflowExecution",
                        "completeWorkflowExecutionDecisionAttributes": {"result": "parent saw: " + result},
                    }
                )
            elif kind in ("ChildWorkflowExecutionFailed", "StartChildWorkflowExecutionFailed"):
                decisions.append(
                    {
                        "decisionType": "FailWorkflowExecution",
                        "failWorkflowExecutionDecisionAttributes": {"reason": kind},
                    }
                )
        return decisions

    def decide_child(task):
        for e in new_events(task):
            if e["eventType"] == "WorkflowExecutionStarted":
                child_input = e["workflowExecutionStartedEventAttributes"]["input"]
                return [
                    {
                        "decisionType": "CompleteWorkflowExecution",
                        "completeWorkflowExecutionDecisionAttributes": {"result": child_input.upper()},
                    }
                ]
        return []

    until = time.time() + DEADLINE_S
    while time.time() < until:
        if swf.describe_workflow_execution(domain=domain, execution=parent)["executionInfo"]["executionStatus"] == "CLOSED":
            break
        for task_list, decider in (("parent", decide_parent), ("child", decide_child)):
            task = poll(swf, domain, task_list)
            if task:
                swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decider(task))
    else:
        raise RuntimeError("the parent workflow did not close in time")

    parent_events = history(swf, domain, parent)
    started = next(e for e in parent_events if e["eventType"] == "ChildWorkflowExecutionStarted")
    child_exec = started["childWorkflowExecutionStartedEventAttributes"]["workflowExecution"]
    completed = [e for e in parent_events if e["eventType"] == "ChildWorkflowExecutionCompleted"]
    child_info = swf.describe_workflow_execution(domain=domain, execution=child_exec)["executionInfo"]
    parent_info = swf.describe_workflow_execution(domain=domain, execution=parent)["executionInfo"]
    closing = parent_events[-1]
    return {
        "parent": parent,
        "parentCloseStatus": parent_info.get("closeStatus"),
        "parentResult": closing.get("workflowExecutionCompletedEventAttributes", {}).get("result"),
        "parentEventTypes": [e["eventType"] for e in parent_events],
        "child": child_exec,
        "childCloseStatus": child_info.get("closeStatus"),
        "childParent": child_info.get("parent"),
        "childCompleted": [
            {
                "result": e["childWorkflowExecutionCompletedEventAttributes"].get("result"),
                "workflowExecution": e["childWorkflowExecutionCompletedEventAttributes"]["workflowExecution"],
                "initiatedEventId": e["childWorkflowExecutionCompletedEventAttributes"]["initiatedEventId"],
                "startedEventId": e["childWorkflowExecutionCompletedEventAttributes"]["startedEventId"],
            }
            for e in completed
        ],
        "childStartedEventId": started["eventId"],
    }


def continue_as_new_scenario(swf, domain, suffix):
    workflow_id = "looper-" + suffix
    first_run = swf.start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType={"name": "Looper", "version": "1"}, input="0"
    )["runId"]
    run_ids = [first_run]
    until = time.time() + DEADLINE_S
    final_run = None
    while time.time() < until and final_run is None:
        task = poll(swf, domain, "loop")
        if not task:
            continue
        started = task["events"][0]["workflowExecutionStartedEventAttributes"]
        n = int(started["input"])
        if n < 2:
            decision = {
                "decisionType": "ContinueAsNewWorkflowExecution",
                "continueAsNewWorkflowExecutionDecisionAttributes": {"input": str(n + 1)},
            }
        else:
            decision = {
                "decisionType": "CompleteWorkflowExecution",
                "completeWorkflowExecutionDecisionAttributes": {"result": "done after %d" % n},
            }
            final_run = task["workflowExecution"]["runId"]
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[decision])
        if n < 2:
            closed = history(swf, domain, task["workflowExecution"])[-1]
            run_ids.append(closed["workflowExecutionContinuedAsNewEventAttributes"]["newExecutionRunId"])
    if final_run is None:
        raise RuntimeError("the continue-as-new loop did not finish in time")

    runs = []
    for run_id in run_ids:
        execution = {"workflowId": workflow_id, "runId": run_id}
        info = swf.describe_workflow_execution(domain=domain, execution=execution)["executionInfo"]
        events = history(swf, domain, execution)
        started = events[0]["workflowExecutionStartedEventAttributes"]
        runs.append(
            {
                "runId": run_id,
                "closeStatus": info.get("closeStatus"),
                "input": started.get("input"),
                "continuedExecutionRunId": started.get("continuedExecutionRunId"),
                "lastEventType": events[-1]["eventType"],
                "result": events[-1].get("workflowExecutionCompletedEventAttributes", {}).get("result"),
            }
        )
    return {"workflowId": workflow_id, "finalRunId": final_run, "runs": runs}


def empty_poll_scenario(swf, domain):
    """What boto3 hands back for polls that find nothing (the engine's hold is short in the test)."""
    answers = {}
    for kind, call in (("decision", swf.poll_for_decision_task), ("activity", swf.poll_for_activity_task)):
        task = call(domain=domain, taskList={"name": "nobody-polls-here"}, identity="boto3-empty")
        task.pop("ResponseMetadata", None)
        answers[kind] = task
    return answers


def main():
    if len(sys.argv) != 2:
        print("usage: boto3_scenarios.py <endpoint_url>", file=sys.stderr)
        return 2
    swf = client_for(sys.argv[1])
    suffix = uuid.uuid4().hex[:10]
    domain = "boto3-" + suffix
    register(swf, domain)
    summary = {
        "boto3": boto3.__version__,
        "domain": domain,
        "child": child_scenario(swf, domain, suffix),
        "continueAsNew": continue_as_new_scenario(swf, domain, suffix),
        "emptyPoll": empty_poll_scenario(swf, domain),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # noqa: BLE001 - report any failure to the calling test
        print("boto3 scenario failed: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        sys.exit(1)
