# Unit tests of the collection's modules: the passthrough program is replaced by recorded answers (its JSON documents
# as docs/json.md gives them), so what each module asks the tool and what it returns to Ansible is checked without a
# host. The playbook test (ansible/tests/run, reservation.yml) runs the real program on sample hosts.
import json

import pytest

from ansible_collections.passthrough.gpu.plugins.module_utils import passthrough_cli
from ansible_collections.passthrough.gpu.plugins.modules import passthrough_reservation, passthrough_verify, passthrough_vm


class Exit(Exception):
    def __init__(self, failed, result):
        super(Exit, self).__init__(result.get('msg'))
        self.failed = failed
        self.result = result


class FakeModule(object):
    """An AnsibleModule stand-in: params, check/diff mode, run_command answered from a script of documents."""

    def __init__(self, params, answers, check_mode=False, diff=False):
        self.params = dict(executable='passthrough', root='/srv/host', command_timeout=None)
        self.params.update(params)
        self.check_mode = check_mode
        self._diff = diff
        self.answers = list(answers)
        self.calls = []

    def run_command(self, cmd, environ_update=None):
        self.calls.append(cmd)
        assert environ_update['NO_COLOR'] == '1'
        rc, doc = self.answers.pop(0)
        return rc, json.dumps(doc) if isinstance(doc, dict) else doc, ''

    def fail_json(self, **kw):
        raise Exit(True, kw)

    def exit_json(self, **kw):
        raise Exit(False, kw)


def doc(command, **fields):
    d = dict(schemaVersion=1, command=command)
    d.update(fields)
    return d


PLAN = doc('plan', binding='vfio-pci', reserved=[dict(address='0000:01:00.0')], kernelParameters='ro quiet intel_iommu=on',
           files=[dict(path='etc/default/grub', before='GRUB_CMDLINE_LINUX=""\n', after='GRUB_CMDLINE_LINUX="intel_iommu=on"\n'),
                  dict(path='etc/modprobe.d/passthrough-vfio.conf', before=None, after='options vfio-pci ids=10de:2504\n')],
           commands=[dict(argv=['update-grub'])], findings=[], rebootRequired=True)
NOTHING = doc('plan', binding='vfio-pci', reserved=[], kernelParameters='ro quiet intel_iommu=on', files=[], commands=[],
              findings=[], rebootRequired=False)
APPLIED = doc('apply', txid='20261204T110000000Z-abcdef', changed=True, files=[], commands=[dict(argv=['update-grub'], status='ok')],
              rebootRequired=True)
HISTORY = doc('history', transactions=[
    dict(txid='tx-3', state='done', title='vm win11', target=None, files=[]),
    dict(txid='tx-2', state='done', title='reserve the IOMMU group of 0000:01:00.0 for vfio-pci', target='0000:01:00.0',
         files=[dict(path='etc/default/grub', action='replace')]),
    dict(txid='tx-1', state='rolled-back', title='reserve the IOMMU group of 0000:01:00.0 for vfio-pci', target='0000:01:00.0', files=[]),
    dict(txid='tx-0', state='done', title='reserve the IOMMU group of 0000:05:00.0 for vfio-pci', target='0000:05:00.0', files=[]),
])


def reservation(answers, check_mode=False, diff=False, **params):
    p = dict(devices=['01:00.0'], binding='auto', with_siblings=False, allow_shared_group=False, allow_boot_gpu=False,
             state='present')
    p.update(params)
    m = FakeModule(p, answers, check_mode, diff)
    cli = passthrough_cli.PassthroughCli(m)
    try:
        try:
            result = passthrough_reservation.present(m, cli) if p['state'] == 'present' else passthrough_reservation.absent(m, cli)
        except passthrough_cli.PassthroughError as e:
            cli.fail(e, changed=False)  # as main() does
    except Exit as e:
        return m, e
    return m, Exit(False, result)


def test_check_mode_plans_only_and_returns_the_diff():
    m, r = reservation([(0, PLAN)], check_mode=True, diff=True)
    assert m.calls == [['passthrough', '--root', '/srv/host', '--json', '--color=never', 'plan', '--device', '01:00.0']]
    assert r.result['changed'] and r.result['reboot_required'] and r.result['transactions'] == []
    assert [d['after_header'] for d in r.result['diff']] == ['etc/default/grub', 'etc/modprobe.d/passthrough-vfio.conf']
    assert r.result['diff'][1]['before'] == ''


def test_present_applies_once_with_the_plan_flags():
    m, r = reservation([(0, PLAN), (0, APPLIED)], binding='pci-stub', with_siblings=True, command_timeout=900)
    assert m.calls[1][5:] == ['apply', '--yes', '--device', '01:00.0', '--binding', 'pci-stub', '--with-siblings',
                              '--command-timeout', '900']
    assert r.result['changed'] and r.result['transactions'] == ['20261204T110000000Z-abcdef']


def test_nothing_to_change_runs_no_apply():
    m, r = reservation([(0, NOTHING)])
    assert len(m.calls) == 1 and not r.result['changed'] and not r.result['reboot_required']


def test_a_refused_plan_fails_with_the_tools_code():
    refused = doc('plan', error=dict(code='BOOT_GPU', message='0000:17:00.0 is the boot GPU; --allow-boot-gpu', exitCode=3))
    m, r = reservation([(3, refused)])
    assert r.failed and r.result['error_code'] == 'BOOT_GPU' and r.result['exit_code'] == 3
    assert 'boot GPU' in r.result['msg']


def test_a_failed_command_fails_and_says_the_files_were_restored():
    failed = doc('apply', error=dict(code='COMMAND_FAILED', message='update-grub failed; every file was restored', exitCode=1),
                 commands=[dict(argv=['update-grub'], status='failed')])
    m, r = reservation([(0, PLAN), (1, failed)])
    assert r.failed and r.result['error_code'] == 'COMMAND_FAILED' and not r.result['changed']
    assert r.result['commands'][0]['status'] == 'failed'


def test_absent_rolls_back_the_devices_done_reservations_newest_first():
    m, r = reservation([(0, HISTORY), (0, doc('rollback', txid='tx-2'))], state='absent')
    assert m.calls[1][5:] == ['rollback', 'tx-2']
    assert r.result['changed'] and r.result['transactions'] == ['tx-2']


def test_absent_in_check_mode_rolls_back_nothing():
    m, r = reservation([(0, HISTORY)], state='absent', check_mode=True, diff=True)
    assert len(m.calls) == 1 and r.result['changed'] and r.result['transactions'] == ['tx-2']
    assert 'etc/default/grub' in r.result['diff'][0]['prepared']


def test_absent_with_nothing_in_place_changes_nothing():
    m, r = reservation([(0, HISTORY)], state='absent', devices=['0000:02:00.0'])
    assert not r.result['changed'] and len(m.calls) == 1


def test_output_that_is_no_json_is_a_clear_failure():
    m, r = reservation([(127, 'sh: passthrough: not found')])
    assert r.failed and 'printed no JSON document (exit 127)' in r.result['msg']


def test_another_schema_version_is_refused():
    m, r = reservation([(0, dict(schemaVersion=2, command='plan'))])
    assert r.failed and 'schemaVersion 2' in r.result['msg']


def test_normalize_address():
    assert passthrough_cli.normalize_address('01:00.0') == '0000:01:00.0'
    assert passthrough_cli.normalize_address('0000:65:00.0') == '0000:65:00.0'


def run_main(module_main, monkeypatch, params, answers, check_mode=False):
    holder = {}

    def fake(argument_spec=None, supports_check_mode=False, **kw):
        for k, spec in argument_spec.items():
            params.setdefault(k, spec.get('default'))
        holder['m'] = FakeModule(params, answers, check_mode)
        return holder['m']

    monkeypatch.setattr(module_main.__globals__['AnsibleModule'], '__call__', None, raising=False)
    monkeypatch.setitem(module_main.__globals__, 'AnsibleModule', fake)
    with pytest.raises(Exit) as e:
        module_main()
    return holder['m'], e.value


def test_verify_fails_the_play_with_each_cause_and_fix(monkeypatch):
    failing = doc('verify', passed=False, verdict='not-verified', findings=[
        dict(status='fail', code='NOT_RESERVED', message='nouveau holds 0000:01:00.0', fix='rebuild the initramfs'),
        dict(status='ok', code='IOMMU_ACTIVE', message='on', fix='')])
    m, r = run_main(passthrough_verify.main, monkeypatch, dict(devices=['01:00.0']), [(1, failing)])
    assert r.failed and 'NOT_RESERVED: nouveau holds 0000:01:00.0 (fix: rebuild the initramfs)' in r.result['msg']
    ok = doc('verify', passed=True, verdict='verified', findings=[])
    m, r = run_main(passthrough_verify.main, monkeypatch, dict(devices=['01:00.0']), [(0, ok)])
    assert not r.failed and r.result['passed'] and not r.result['changed']


def test_vm_present_replaces_its_own_vm_and_is_idempotent(monkeypatch):
    listed = doc('vm list', vms=[dict(name='win11', hypervisor='libvirt', byPassthrough=True, document='<domain/>')])
    same = doc('vm create', documentPath='/etc/passthrough/vms/win11.xml', document='<domain/>', files=[
        dict(path='etc/passthrough/vms/win11.xml', diff='')], quirks=[], findings=[])
    params = dict(name='win11', devices=['01:00.0'])
    m, r = run_main(passthrough_vm.main, monkeypatch, params, [(0, listed), (0, same)])
    assert '--replace' in m.calls[1] and '--define' not in m.calls[1]
    assert not r.failed and not r.result['changed']


def test_vm_absent_refuses_a_vm_of_other_tools(monkeypatch):
    listed = doc('vm list', vms=[dict(name='win11', hypervisor='libvirt', byPassthrough=False, document=None)])
    m, r = run_main(passthrough_vm.main, monkeypatch, dict(name='win11', state='absent'), [(0, listed)])
    assert r.failed and 'not defined by passthrough' in r.result['msg']
