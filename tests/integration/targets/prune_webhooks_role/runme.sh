#!/usr/bin/env bash
# The prune_webhooks role as a user runs it: two workspaces (inventory hosts) in one play, the drift gate, and
# the example playbook of docs/examples.
set -euo pipefail
export ANSIBLE_ROLES_PATH=..
ansible-playbook -i "${INVENTORY_PATH}" workspaces.yml "$@"
ansible-playbook -i "${INVENTORY_PATH}" drift.yml "$@"
ansible-playbook -i "${INVENTORY_PATH}" examples.yml "$@"
