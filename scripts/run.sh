#!/usr/bin/env bash
# Serve the product with a Celery worker and beat; one Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait' INT TERM EXIT
.venv/bin/celery -A crm worker -B --pool=solo --loglevel=WARNING \
  --schedule var/celerybeat-schedule &
.venv/bin/python manage.py runserver 127.0.0.1:8000 &
sleep 2
cat <<MSG

  客户事务部管理系统已启动: http://127.0.0.1:8000/
  演示账号(密码均为 crm-demo-2026):
    front_desk  cs_staff  cs_supervisor  manager  project_dept
    finance  legal  property_company  admin
  按 Ctrl-C 停止网站、Celery worker 和 beat。

MSG
wait
