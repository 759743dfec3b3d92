#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: passthrough maintainers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: passthrough_facts
short_description: The host's GPU passthrough readiness and IOMMU groups as facts
version_added: "0.1.0"
description:
  - Runs C(passthrough check) and C(passthrough groups) and returns their JSON documents as the fact
    C(ansible_facts.passthrough) with C(check) (CPU, IOMMU, kernel, distribution profile, findings, C(ready)) and
    C(groups) (every IOMMU group with its devices, drivers, the boot GPU and bridges marked).
  - Reads only; a host that is not ready is not a failure (C(ansible_facts.passthrough.check.ready) says so).
options:
  gpu_only:
    description: Keep only the groups holding a display controller (C(passthrough groups --gpu)).
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
  facts:
    support: full
author:
  - passthrough maintainers
'''

EXAMPLES = r'''
- name: Read the passthrough facts
  passthrough.gpu.passthrough_facts:
    gpu_only: true

- name: Stop on a host that cannot do passthrough
  ansible.builtin.assert:
    that: ansible_facts.passthrough.check.ready
    fail_msg: "{{ ansible_facts.passthrough.check.findings | selectattr('severity', 'equalto', 'error') | map(attribute='message') | list }}"
'''

RETURN = r'''
ansible_facts:
  description: C(passthrough) with C(check) and C(groups), the documents of C(passthrough check --json) and C(passthrough groups --json) (docs/json.md).
  returned: always
  type: dict
  contains:
    passthrough:
      description: The two documents.
      type: dict
      returned: always
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.passthrough.gpu.plugins.module_utils.passthrough_cli import (
    COMMON_ARGS, PassthroughCli, PassthroughError)


def main():
    argument_spec = dict(gpu_only=dict(type='bool', default=False))
    argument_spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    cli = PassthroughCli(module)
    try:
        # check: 0 ready, 1 not ready (an answer, not a failure); groups: 1 when the IOMMU is off (devices, no groups)
        _, check = cli.run(['check'], ok=(0, 1))
        _, groups = cli.run(['groups'] + (['--gpu'] if module.params['gpu_only'] else []), ok=(0, 1))
    except PassthroughError as e:
        cli.fail(e)
    module.exit_json(changed=False, ansible_facts=dict(passthrough=dict(check=check, groups=groups)))


if __name__ == '__main__':
    main()
