"""One-thread boto3 driver for bench/engine-boto3.ts.

Runs complete one-activity workflows against swf-local, one call at a time, the way a plain
boto3 decider and worker would: StartWorkflowExecution, PollForDecisionTask,
RespondDecisionTaskCompleted (ScheduleActivityTask), PollForActivityTask,
RespondActivityTaskCompleted, PollForDecisionTask, RespondDecisionTaskCompleted
(CompleteWorkflowExecution): 7 calls each.

    python3 bench/boto3_driver.py <endpoint> <warm-up workflows> <measured workflows>

Prints "warm" after the warm-up, waits for a line on stdin (the bench reads the engine's CPU
time then), runs the measured workflows and prints one JSON line with the figures.
"""
import json
import sys
import time

import boto3
from botocore.config import Config

DOMAIN = "bench-boto3"
DECISIONS = {"name": "boto3-decisions"}
ACTIVITIES = {"name": "boto3-activities"}
CALLS_PER_WORKFLOW = 7


def client(endpoint):
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(read_timeout=70, retries={"max_attempts": 0}),
    )


def register(swf):
    swf.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=DOMAIN,
        name="BenchFlow",
        version="1",
        defaultTaskList=DECISIONS,
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="300",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=DOMAIN,
        name="BenchWork",
        version="1",
        defaultTaskList=ACTIVITIES,
        defaultTaskScheduleToStartTimeout="300",
        defaultTaskScheduleToCloseTimeout="600",
        defaultTaskStartToCloseTimeout="300",
        defaultTaskHeartbeatTimeout="NONE",
    )


def workflow(swf, n, latencies):
    def timed(call, **kwargs):
        started = time.perf_counter()
        out = call(**kwargs)
        latencies.append(time.perf_counter() - started)
        return out

    timed(swf.start_workflow_execution, domain=DOMAIN, workflowId=f"wf-{n}", workflowType={"name": "BenchFlow", "version": "1"}, input="in")
    task = timed(swf.poll_for_decision_task, domain=DOMAIN, taskList=DECISIONS, identity="boto3-decider")
    if not task.get("taskToken"):
        raise RuntimeError("decision poll came back empty")
    timed(
        swf.respond_decision_task_completed,
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {"activityType": {"name": "BenchWork", "version": "1"}, "activityId": "a", "input": "x"},
            }
        ],
    )
    activity = timed(swf.poll_for_activity_task, domain=DOMAIN, taskList=ACTIVITIES, identity="boto3-worker")
    if not activity.get("taskToken"):
        raise RuntimeError("activity poll came back empty")
    timed(swf.respond_activity_task_completed, taskToken=activity["taskToken"], result="done")
    task = timed(swf.poll_for_decision_task, domain=DOMAIN, taskList=DECISIONS, identity="boto3-decider")
    if not task.get("taskToken"):
        raise RuntimeError("decision poll came back empty")
    timed(
        swf.respond_decision_task_completed,
        taskToken=task["taskToken"],
        decisions=[{"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {"result": "ok"}}],
    )


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def main():
    endpoint, warm, measured = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    swf = client(endpoint)
    register(swf)
    for n in range(warm):
        workflow(swf, n, [])
    print("warm", flush=True)
    sys.stdin.readline()
    latencies = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for n in range(warm, warm + measured):
        workflow(swf, n, latencies)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(
        json.dumps(
            {
                "workflows": measured,
                "calls": measured * CALLS_PER_WORKFLOW,
                "wallSeconds": wall,
                "driverCpuSeconds": cpu,
                "callP50Ms": percentile(latencies, 50) * 1000,
                "callP99Ms": percentile(latencies, 99) * 1000,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
