#!/usr/bin/env bash
# Serve the product with a Celery worker and beat; one Ctrl-C stops all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
pids=()
stop() {
  trap - INT TERM EXIT
  # Background jobs of a script ignore SIGINT, so each child is stopped explicitly.
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  echo "已停止。"
}
trap stop INT TERM EXIT
.venv/bin/celery -A crm worker -B --pool=solo --loglevel=INFO --schedule var/celerybeat-schedule \
  >>var/celery.log 2>&1 &
pids+=($!)
.venv/bin/python manage.py runserver 127.0.0.1:8000 --noreload &
pids+=($!)
sleep 2
cat <<MSG

  客户事务部管理系统已启动: http://127.0.0.1:8000/
  演示账号(密码均为 crm-demo-2026):
    front_desk  cs_staff  cs_supervisor  manager  project_dept
    finance  legal  property_company  admin
  业主端(手机): http://127.0.0.1:8000/m/  演示业主手机号 13800138001、13900139002,
    短信验证码打印在本窗口,开发环境下也显示在登录页。
  接口文档: http://127.0.0.1:8000/api/docs/
  Celery worker 与 beat 的日志: var/celery.log
  按 Ctrl-C 停止网站、Celery worker 和 beat。

MSG
wait
