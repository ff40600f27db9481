#!/usr/bin/env bash
# The prune_webhooks role over two workspaces (inventory hosts) in one play, as a user runs it.
set -euo pipefail
export ANSIBLE_ROLES_PATH=..
ansible-playbook -i "${INVENTORY_PATH}" workspaces.yml "$@"
