#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: passthrough maintainers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: passthrough_vm
short_description: The VM that owns the reserved GPU, defined for libvirt or as a QEMU launch script
version_added: "0.1.0"
description:
  - Runs C(passthrough vm create NAME --define). Every function of each device's IOMMU group in one guest slot per
    card, OVMF, memory and vCPUs from the host, the guest quirks that apply (NVIDIA, SPICE mouse, large BARs), as one
    journaled transaction. Refused while a function is not reserved for the next boot (run
    M(passthrough.gpu.passthrough_reservation) first).
  - A VM of that name that passthrough defined is replaced by the new definition; the same definition again changes
    nothing. I(state=absent) runs C(passthrough vm remove NAME).
options:
  name:
    description: The VM's name.
    type: str
    required: true
  devices:
    description: A function of each GPU to pass (its whole group comes along). Required with I(state=present).
    type: list
    elements: str
  usb_controllers:
    description: USB controllers to pass for the VM's keyboard and mouse.
    type: list
    elements: str
    default: []
  hypervisor:
    description: C(libvirt) or C(qemu); default the profile's first installed one.
    type: str
    choices: [libvirt, qemu]
  memory:
    description: Guest memory, e.g. C(8G).
    type: str
  cpus:
    description: vCPUs.
    type: int
  disks:
    description: Disks, C(PATH[,size=64G][,format=qcow2|raw]).
    type: list
    elements: str
    default: []
  iso:
    description: An installer ISO as a CD-ROM.
    type: path
  network:
    description: C(default), C(bridge=BR), C(user) or C(none).
    type: str
    default: default
  quirks:
    description: Consult only these guest quirks.
    type: list
    elements: str
    default: []
  no_quirks:
    description: Guest quirks to switch off.
    type: list
    elements: str
    default: []
  firmware:
    description: C(efi) (OVMF) or C(bios) (SeaBIOS, for direct-boot Linux guests).
    type: str
    choices: [efi, bios]
    default: efi
  state:
    description: C(present) defines (or replaces) the VM, C(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - passthrough.gpu.passthrough
attributes:
  check_mode:
    support: full
    description: Prints the definition (C(passthrough vm create) without C(--define)); nothing is written.
  diff_mode:
    support: full
    description: The unified diff of the definition file and of any host setting it changes.
author:
  - passthrough maintainers
'''

EXAMPLES = r'''
- name: The Windows VM that owns the RTX 3060
  passthrough.gpu.passthrough_vm:
    name: win11
    devices: ['01:00.0']
    memory: 16G
    disks: ['/var/lib/libvirt/images/win11.qcow2,size=128G']
    iso: /srv/iso/Win11.iso
'''

RETURN = r'''
document_path:
  description: Where the definition is installed (C(/etc/passthrough/vms/NAME.xml) or C(.sh)).
  returned: when state is present
  type: str
document:
  description: The libvirt domain XML or the QEMU launch script.
  returned: when state is present
  type: str
transactions:
  description: The journal's transaction ids this run made.
  returned: always
  type: list
  elements: str
quirks:
  description: Each guest quirk that applied, with its reason and features.
  returned: when state is present
  type: list
  elements: dict
findings:
  description: Warnings and notes of the planner.
  returned: when state is present
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.passthrough.gpu.plugins.module_utils.passthrough_cli import (
    COMMON_ARGS, PassthroughCli, PassthroughError, device_args)


def create_args(p, ours):
    args = ['vm', 'create', p['name']] + device_args(p['devices'])
    for c in p['usb_controllers']:
        args += ['--usb-controller', c]
    for d in p['disks']:
        args += ['--disk', d]
    for q in p['quirks']:
        args += ['--quirk', q]
    for q in p['no_quirks']:
        args += ['--no-quirk', q]
    for key, flag in (('hypervisor', '--hypervisor'), ('memory', '--memory'), ('iso', '--iso')):
        if p[key]:
            args += [flag, p[key]]
    if p['cpus']:
        args += ['--cpus', str(p['cpus'])]
    args += ['--network', p['network'], '--firmware', p['firmware']]
    if ours:
        args.append('--replace')
    return args


def defined(cli, name):
    _, listed = cli.run(['vm', 'list'])
    for vm in listed.get('vms', []):
        if vm.get('name') == name:
            return vm
    return None


def main():
    argument_spec = dict(
        name=dict(type='str', required=True),
        devices=dict(type='list', elements='str'),
        usb_controllers=dict(type='list', elements='str', default=[]),
        hypervisor=dict(type='str', choices=['libvirt', 'qemu']),
        memory=dict(type='str'),
        cpus=dict(type='int'),
        disks=dict(type='list', elements='str', default=[]),
        iso=dict(type='path'),
        network=dict(type='str', default='default'),
        quirks=dict(type='list', elements='str', default=[]),
        no_quirks=dict(type='list', elements='str', default=[]),
        firmware=dict(type='str', choices=['efi', 'bios'], default='efi'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    argument_spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_if=[('state', 'present', ['devices'])])
    p = module.params
    cli = PassthroughCli(module)
    try:
        existing = defined(cli, p['name'])
        if p['state'] == 'absent':
            if existing is None:
                module.exit_json(changed=False, transactions=[])
            if not existing.get('byPassthrough'):
                module.fail_json(msg='VM %s was not defined by passthrough; remove it with its own tools' % p['name'])
            if module.check_mode:
                module.exit_json(changed=True, transactions=[])
            _, removed = cli.run(['vm', 'remove', p['name'], '--yes'])
            module.exit_json(changed=True, transactions=[t for t in [removed.get('transaction')] if t])
        ours = existing is not None and existing.get('byPassthrough')
        _, planned = cli.run(create_args(p, ours))
        files = [f for f in planned.get('files', []) if f.get('diff')]
        changed = bool(files) or existing is None
        result = dict(changed=changed, transactions=[], document_path=planned.get('documentPath'),
                      document=planned.get('document'), quirks=planned.get('quirks', []),
                      findings=planned.get('findings', []))
        if module._diff:
            result['diff'] = [dict(prepared=f['diff']) for f in files]
        if module.check_mode or not changed:
            module.exit_json(**result)
        _, done = cli.run(create_args(p, ours) + ['--define', '--yes'])
        result['transactions'] = [t for t in [done.get('transaction')] if t]
        module.exit_json(**result)
    except PassthroughError as e:
        cli.fail(e, changed=False)


if __name__ == '__main__':
    main()
