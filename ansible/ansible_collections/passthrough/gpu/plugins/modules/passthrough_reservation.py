#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: passthrough maintainers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: passthrough_reservation
short_description: Reserve a GPU's whole IOMMU group for vfio-pci or pci-stub at the next boot
version_added: "0.1.0"
description:
  - Runs C(passthrough plan) and, unless in check mode, C(passthrough apply) on the host, so the IOMMU is turned on
    and every function of each device's IOMMU group is reserved for vfio-pci (or pci-stub) from the next boot, through
    the distribution's own boot loader and initramfs tools. Shared groups, the boot GPU and devices the host needs are
    refused as the command line refuses them.
  - Idempotent, a host already reserved as asked reports no change. Every change is one journaled transaction on the
    host (C(passthrough history)); I(state=absent) rolls the reservations of the devices back byte for byte.
  - A reboot is needed afterwards (C(reboot_required)); run M(passthrough.gpu.passthrough_verify) after it.
options:
  devices:
    description: A function of each GPU (or USB controller) to reserve, e.g. C(01:00.0); the whole IOMMU group of each comes along.
    type: list
    elements: str
    required: true
  binding:
    description: How the devices are reserved; C(auto) takes vfio-pci where the kernel can bind it early enough.
    type: str
    choices: [auto, vfio-pci, pci-stub]
    default: auto
  with_siblings:
    description: Also reserve the card's other functions that sit in IOMMU groups holding nothing else.
    type: bool
    default: false
  allow_shared_group:
    description: Reserve a group even when it holds devices of other slots (they leave the host too).
    type: bool
    default: false
  allow_boot_gpu:
    description: Reserve a group even when it holds the boot (console) GPU.
    type: bool
    default: false
  state:
    description:
      - C(present) reserves; C(absent) rolls back every reservation transaction of these devices that is still in
        place, newest first.
    type: str
    choices: [present, absent]
    default: present
  command_timeout:
    description: Seconds a command such as update-initramfs or dracut may run.
    type: int
extends_documentation_fragment:
  - passthrough.gpu.passthrough
attributes:
  check_mode:
    support: full
    description: Runs C(passthrough plan) only; nothing is written. C(changed) says whether apply would change the host.
  diff_mode:
    support: full
    description: The unified diff of every file the reservation writes (or, for I(state=absent), that rollback restores).
author:
  - passthrough maintainers
notes:
  - Needs root on the target, as C(passthrough apply) does.
seealso:
  - module: passthrough.gpu.passthrough_verify
  - module: passthrough.gpu.passthrough_facts
'''

EXAMPLES = r'''
- name: Reserve the RTX 3060 and its HDMI audio for vfio-pci
  passthrough.gpu.passthrough_reservation:
    devices: ['01:00.0']
  register: reservation

- name: Reboot into the reserved configuration
  ansible.builtin.reboot:
  when: reservation.reboot_required

- name: Every function of the group is on vfio-pci
  passthrough.gpu.passthrough_verify:
    devices: ['01:00.0']

- name: Give the GPU back to the host
  passthrough.gpu.passthrough_reservation:
    devices: ['01:00.0']
    state: absent
'''

RETURN = r'''
changed:
  description: Whether the host's files changed (or, in check mode, would change).
  returned: always
  type: bool
reboot_required:
  description: The change takes effect at the next boot.
  returned: always
  type: bool
transactions:
  description: The journal's transaction ids this run made or rolled back (C(passthrough history), C(passthrough rollback TXID)).
  returned: always
  type: list
  elements: str
  sample: ['20261203T200200281Z-8eecc6']
binding:
  description: vfio-pci or pci-stub, as planned.
  returned: when state is present
  type: str
reserved:
  description: Every device reserved at the next boot (address, ids, class, the driver it has now).
  returned: when state is present
  type: list
  elements: dict
kernel_parameters:
  description: The kernel command line of the next boot.
  returned: when state is present
  type: str
commands:
  description: The commands apply runs (or ran) after writing the files, with their status.
  returned: when state is present
  type: list
  elements: dict
findings:
  description: The plan's findings (severity, code, message, fix).
  returned: when state is present
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.passthrough.gpu.plugins.module_utils.passthrough_cli import (
    COMMON_ARGS, PassthroughCli, PassthroughError, device_args, normalize_address)

RESERVATION_TITLE = 'reserve the IOMMU group of '


def plan_args(p):
    args = device_args(p['devices'])
    if p['binding'] != 'auto':
        args += ['--binding', p['binding']]
    for flag in ('with_siblings', 'allow_shared_group', 'allow_boot_gpu'):
        if p[flag]:
            args.append('--' + flag.replace('_', '-'))
    return args


def file_diff(f):
    return dict(before_header=f['path'], after_header=f['path'],
                before=f.get('before') or '', after=f.get('after') or '')


def present(module, cli):
    p = module.params
    _, plan = cli.run(['plan'] + plan_args(p))
    files = [f for f in plan.get('files', []) if f.get('before') != f.get('after')]
    changed = bool(files) or bool(plan.get('commands'))
    result = dict(changed=changed, reboot_required=changed, transactions=[], binding=plan.get('binding'),
                  reserved=plan.get('reserved', []), kernel_parameters=plan.get('kernelParameters'),
                  commands=plan.get('commands', []), findings=plan.get('findings', []))
    if module._diff:
        result['diff'] = [file_diff(f) for f in files]
    if module.check_mode or not changed:
        return result
    args = ['apply', '--yes'] + plan_args(p)
    if p['command_timeout']:
        args += ['--command-timeout', str(p['command_timeout'])]
    try:
        _, applied = cli.run(args)
    except PassthroughError as e:
        # a failed command: apply restored every file; the document says which command and its output
        cli.fail(e, changed=False, commands=(e.document or {}).get('commands', []))
    result.update(changed=bool(applied.get('changed')), reboot_required=bool(applied.get('rebootRequired')),
                  transactions=[applied['txid']] if applied.get('txid') else [], commands=applied.get('commands', []))
    return result


def reservations_in_place(cli, devices):
    """Done reservation transactions of these devices, newest first (history lists newest first)."""
    _, history = cli.run(['history'])
    wanted = set(normalize_address(d) for d in devices)
    out = []
    for t in history.get('transactions', []):
        if t.get('state') != 'done' or not (t.get('title') or '').startswith(RESERVATION_TITLE):
            continue
        if normalize_address(t.get('target') or '') in wanted:
            out.append(t)
    return out


def absent(module, cli):
    p = module.params
    found = reservations_in_place(cli, p['devices'])
    result = dict(changed=bool(found), reboot_required=bool(found), transactions=[t['txid'] for t in found])
    if module._diff:
        result['diff'] = [dict(before_header=f['path'], after_header=f['path'] + ' (as before ' + t['txid'] + ')',
                               prepared='%s: %s by %s, restored by rollback' % (f['path'], f.get('action'), t['txid']))
                          for t in found for f in t.get('files', []) if f.get('action') != 'unchanged']
    if module.check_mode:
        return result
    for t in found:
        args = ['rollback', t['txid']]
        if p['command_timeout']:
            args += ['--command-timeout', str(p['command_timeout'])]
        try:
            cli.run(args)
        except PassthroughError as e:
            cli.fail(e, changed=True, transactions=result['transactions'])
    return result


def main():
    argument_spec = dict(
        devices=dict(type='list', elements='str', required=True),
        binding=dict(type='str', choices=['auto', 'vfio-pci', 'pci-stub'], default='auto'),
        with_siblings=dict(type='bool', default=False),
        allow_shared_group=dict(type='bool', default=False),
        allow_boot_gpu=dict(type='bool', default=False),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        command_timeout=dict(type='int'),
    )
    argument_spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not module.params['devices']:
        module.fail_json(msg='devices: name at least one device, e.g. 01:00.0 (`passthrough groups --gpu` lists them)')
    cli = PassthroughCli(module)
    try:
        result = present(module, cli) if module.params['state'] == 'present' else absent(module, cli)
    except PassthroughError as e:
        cli.fail(e, changed=False)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
