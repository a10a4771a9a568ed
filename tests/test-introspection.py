#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libloom-1 through GObject introspection (Loom-1.typelib), as Python sees
# it: the seed workflow on a real private cluster (a controller on a thread,
# engine processes), typed status and job queries, enums.  TAP output.

import sys

import gi

gi.require_version('Loom', '1')
gi.require_version('Json', '1.0')
from gi.repository import GLib, Json, Loom  # noqa: E402

checks = []


def check(name):
    def add(func):
        checks.append((name, func))
        return func
    return add


state = {}


@check('the classes are there')
def _classes():
    for name in ('Client', 'View', 'AsyncResult', 'Cluster', 'Controller',
                 'ClusterStatus', 'JobInfo', 'EngineInfo', 'Sweep', 'TaskSpec'):
        assert hasattr(Loom, name), name


@check('enums carry their names')
def _enums():
    assert Loom.Scheme.LEASTLOAD.value_nick == 'leastload'
    assert Loom.TaskStatus.DONE.value_nick == 'done'
    assert Loom.EngineState.BUSY.value_nick == 'busy'


@check('a private cluster of two engines starts')
def _start():
    cluster = Loom.Cluster.new(None)
    cluster.start(2)
    state['cluster'] = cluster
    client = cluster.get_client()
    state['client'] = client
    assert list(client.get_ids()) == [0, 1]


@check('map_sync of printtime over range(4)')
def _map():
    params = Json.Array.new()
    for t in range(4):
        obj = Json.Object.new()
        obj.set_int_member('t', t)
        obj.set_double_member('sleep', 0.01)
        params.add_object_element(obj)
    view = state['client'].load_balanced_view()
    result = view.map_sync('printtime', params)
    values = [result.get_array().get_array_element(i) for i in range(4)]
    assert [v.get_int_element(1) for v in values] == [0, 1, 2, 3]


@check('typed status and job list')
def _status():
    status = state['client'].get_status()
    assert status.props.scheme == Loom.Scheme.LEASTLOAD
    engines = status.get_engines()
    assert engines.get_n_items() == 2
    assert all(engines.get_item(i).props.state == Loom.EngineState.IDLE for i in range(2))
    jobs = state['client'].list_jobs()
    assert jobs.get_n_items() == 1
    assert jobs.get_item(0).props.n_done == 4


@check('an unknown function fails its tasks with a clear error')
def _unknown():
    params = Json.Array.new()
    params.add_object_element(Json.Object.new())
    view = state['client'].load_balanced_view()
    try:
        view.map_sync('no_such_function', params)
    except GLib.Error as error:
        assert 'no_such_function' in error.message, error.message
    else:
        raise AssertionError('no error')


@check('the cluster stops')
def _stop():
    state['cluster'].stop()


print(f'1..{len(checks)}')
failed = 0
for number, (name, func) in enumerate(checks, 1):
    try:
        func()
        print(f'ok {number} - {name}')
    except Exception as error:  # a failed check is reported, the rest go on
        failed += 1
        print(f'not ok {number} - {name}: {error!r}')
    sys.stdout.flush()
sys.exit(1 if failed else 0)
