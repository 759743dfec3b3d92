#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: passthrough maintainers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: passthrough_verify
short_description: After the reboot, prove every device of the reserved groups is on the stub driver
version_added: "0.1.0"
description:
  - Runs C(passthrough verify) on the running host. The IOMMU is on, the kernel command line is as planned, every
    function of each device's IOMMU group is bound to vfio-pci (or pci-stub) and C(/dev/vfio/GROUP) exists.
  - Fails the play when it is not, with each failure's cause and its fix, so no VM starts with a half-reserved group.
options:
  devices:
    description: A function of each reserved GPU (or USB controller), as given to M(passthrough.gpu.passthrough_reservation).
    type: list
    elements: str
    required: true
  with_siblings:
    description: Also check the card's functions in other groups (as reserved with I(with_siblings)).
    type: bool
    default: false
extends_documentation_fragment:
  - passthrough.gpu.passthrough
attributes:
  check_mode:
    support: full
    description: Reads only, in check mode as otherwise.
  diff_mode:
    support: none
author:
  - passthrough maintainers
'''

EXAMPLES = r'''
- name: Every function of the GPU's group is reserved
  passthrough.gpu.passthrough_verify:
    devices: ['01:00.0']
'''

RETURN = r'''
passed:
  description: Whether every device is reserved as planned (the task fails otherwise).
  returned: always
  type: bool
verdict:
  description: C(verified) or C(not-verified).
  returned: always
  type: str
findings:
  description: Each check with its C(status) (ok, warn, fail), C(code), C(message) and C(fix).
  returned: always
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.passthrough.gpu.plugins.module_utils.passthrough_cli import (
    COMMON_ARGS, PassthroughCli, PassthroughError, device_args)


def main():
    argument_spec = dict(devices=dict(type='list', elements='str', required=True),
                         with_siblings=dict(type='bool', default=False))
    argument_spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    cli = PassthroughCli(module)
    args = ['verify'] + device_args(module.params['devices']) + (['--with-siblings'] if module.params['with_siblings'] else [])
    try:
        rc, doc = cli.run(args, ok=(0, 1))
    except PassthroughError as e:
        cli.fail(e)
    findings = doc.get('findings', [])
    result = dict(changed=False, passed=bool(doc.get('passed')), verdict=doc.get('verdict'), findings=findings)
    if rc != 0 or not doc.get('passed'):
        failed = [f for f in findings if f.get('status') == 'fail']
        msg = '; '.join('%s: %s (fix: %s)' % (f.get('code'), f.get('message'), f.get('fix')) for f in failed)
        module.fail_json(msg='not verified: ' + (msg or 'see findings'), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
