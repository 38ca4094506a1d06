"""The Chinese of the benchmark data set: names, projects, what a case is about and how an owner
tells it, the kinds, channels and severities with their weights, and the steps' timeline text.
Deterministic given the caller's ``random.Random``."""
from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰春梅海燕子涵雨欣浩宇思远佳怡晨"
PROJECT_NAMES = ["阳光花园", "翠湖天地", "金色家园", "滨江一号", "紫荆苑", "锦绣华庭", "御景湾", "香樟林",
                 "海棠湾", "云顶山庄", "明珠广场", "星河湾", "和平里", "东方名城", "书香门第", "碧水蓝天",
                 "枫丹白露", "龙湖春江", "世纪花城", "万象新天"]
TITLES = {
    "repairs": ["卫生间漏水", "入户门关不严", "墙面开裂", "窗户渗水", "厨房下水道堵塞", "天花板漏水", "地漏返味",
                "水管爆裂"],
    "cleaning": ["楼道垃圾未清", "电梯厅卫生差", "垃圾桶满溢无人清理", "地下车库积水发臭"],
    "security": ["门禁失灵", "陌生人进入小区", "监控摄像头损坏", "电动车楼道充电"],
    "greening": ["绿化带枯死", "树枝遮挡窗户", "草坪长期无人修剪"],
    "equipment": ["电梯频繁故障", "地库照明不亮", "供水压力低", "电梯困人", "热水器燃气管道漏气"],
    "quality": ["外墙渗水", "地面空鼓", "屋面防水失效", "阳台瓷砖脱落", "墙体返潮发霉"],
    "attitude": ["物业前台态度差", "维修工服务不规范", "保安态度恶劣"],
    "fees": ["物业费计费有误", "停车费争议", "停车位被占用", "维修基金使用不透明"],
    "other": ["噪音扰民", "快递投放问题", "装修噪音太大", "广场舞噪音"],
}
# What a case's description is made of (bench/generate.py writes realistic Chinese text: the
# full-text search benchmark needs words the way front desk types them).
ROOMS = ["卫生间", "厨房", "客厅", "主卧", "次卧", "阳台", "书房", "楼道", "电梯厅", "地下车库", "小区大门", "中心花园"]
OPENERS = ["业主来电反映", "业主到前台反映", "业主在业主群投诉", "业主来函称", "物业转来投诉", "业主上门反映"]
DETAILS = {
    "repairs": ["{room}天花板漏水，滴到地板上", "{room}墙面出现裂缝，越来越宽", "入户门锁芯损坏，门关不严",
                "{room}窗户下雨时渗水", "{room}地漏反味，下水很慢", "楼上{room}漏水，影响到楼下"],
    "cleaning": ["{room}垃圾堆放多日无人清理", "{room}地面油污严重", "保洁人员很久没来打扫{room}"],
    "security": ["小区门禁卡刷不开", "夜里有陌生人在{room}徘徊", "{room}的监控摄像头坏了", "有人在楼道给电动车充电"],
    "greening": ["{room}旁的绿化带大片枯死", "树枝长到窗前挡住采光", "草坪杂草丛生"],
    "equipment": ["电梯经常停运，老人上下楼困难", "电梯运行时异响还困过人", "{room}的照明灯不亮",
                  "高峰时段水压太低，热水器打不着火"],
    "quality": ["外墙渗水，{room}墙面发霉", "{room}地面空鼓，踩上去有响声", "顶楼屋面防水失效，雨天漏水",
                "{room}瓷砖开裂脱落", "{room}墙体返潮，墙纸起泡"],
    "attitude": ["物业前台人员态度冷淡，推诿不管", "维修师傅上门不穿工服，没有预约", "保安说话粗鲁"],
    "fees": ["物业费按建筑面积计费有误，多收了费用", "停车费标准与合同约定不一致", "自己的停车位经常被外来车辆占用",
             "维修基金的使用情况没有公示"],
    "other": ["楼上装修噪音太大，周末一早就开工", "晚上广场舞噪音扰民", "快递经常丢失，快递柜不够用",
              "空调外机噪音很大，影响休息"],
}
WHEN = ["已经持续一周", "从昨晚开始", "反复出现多次", "上次维修后又出现", "最近几天一直这样", "本月第二次"]
ASKS = ["要求尽快派人维修", "希望给个说法", "要求赔偿损失", "请尽快处理", "要求上门查看", "希望尽快答复"]


def case_text(rng: random.Random, category: str, title: str, name: str) -> str:
    """A case's description as front desk writes it: who said it, where, what, since when, what they want."""
    detail = rng.choice(DETAILS[category]).format(room=rng.choice(ROOMS))
    return f"{rng.choice(OPENERS)}（{name}）：{title}，{detail}，{rng.choice(WHEN)}，{rng.choice(ASKS)}。"


KINDS = [("complaint", 60), ("dispute", 5), ("need_suggestion", 20), ("enquiry", 10), ("praise", 5)]
CHANNELS = [("phone", 45), ("walk_in", 20), ("email", 5), ("letter", 2), ("online", 15), ("forum", 3),
            ("property", 10)]
SEVERITIES = [("minor", 60), ("important", 30), ("major", 10)]
# The long workflow in order; detours (rejected plan, failed negotiation) only as current states.
LONG_ORDER = ["registered", "transferred", "classified", "investigated", "plan_pending", "plan_rejected",
              "plan_approved", "negotiation_failed", "agreed", "executed", "fed_back", "visited", "correcting",
              "corrected", "closed", "archived"]
# "visited" is a step, not a state: the return visit is a track of its own (Complaint.visit_state)
# beside the corrective action; a case whose last step is the visit is still "fed_back".
STORED_STATE = {"visited": "fed_back"}
DETOURS = {"plan_rejected", "negotiation_failed", "transferred"}
SHORT_ORDER = ["registered", "transferred", "replied", "closed", "archived"]
STEP_TEXT = {
    "transferred": ("transfer", "转交责任部门"), "classified": ("classify_valid", "界定为有效投诉"),
    "investigated": ("investigate", "调查与分析"), "plan_pending": ("submit_plan", "提交处置方案"),
    "plan_rejected": ("reject_plan", "驳回方案"), "plan_approved": ("approve_plan", "批准方案"),
    "negotiation_failed": ("negotiate_fail", "磋商未达成"), "agreed": ("negotiate_agree", "磋商达成一致"),
    "executed": ("execute", "处置并检查结果"), "fed_back": ("feedback", "反馈业主"),
    "correcting": ("send_correction", "发出纠正和预防措施"), "corrected": ("verify_correction", "验证纠正措施"),
    "visited": ("return_visit", "回访"), "closed": ("close", "关闭"), "archived": ("archive", "资料归档"),
    "replied": ("reply", "答复业主"),
}


# Share of the projects still before their close-out (封盘交接): their cases belong to the
# project department, which must see something in the benchmarks.


def pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]
