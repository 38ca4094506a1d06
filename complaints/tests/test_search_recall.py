"""A labelled set of realistic Chinese queries, each with the cases it must find (issue 19 §4):
the register's word search (crm.search) finds at least 95 % of them, and what it finds holds
the words asked for."""
import pytest
from django.utils import timezone

from complaints import services
from complaints.models import Complaint
from crm import search

pytestmark = pytest.mark.django_db

CASES = {  # key: (title, description) as front desk types them
    "leak_bath": ("卫生间漏水", "楼上卫生间漏水，渗到我家天花板，已经发霉"),
    "leak_kitchen": ("厨房水管漏水", "厨房洗菜池下面的水管接口漏水，地板泡坏了"),
    "ceiling": ("天花板渗水", "下雨后客厅天花板渗水，墙角有水渍"),
    "wall_seep": ("外墙渗水", "外墙渗水导致卧室墙面发霉，墙纸起泡"),
    "wall_crack": ("外墙开裂", "5号楼外墙出现多条裂缝，担心以后渗水"),
    "window_seep": ("窗户渗水", "主卧窗户密封条老化，下雨时窗台渗水"),
    "roof": ("屋面防水失效", "顶楼屋面防水层破损，雨天漏水严重"),
    "lift_stop": ("电梯停运", "3栋电梯停运两天，老人上下楼困难"),
    "lift_trap": ("电梯困人", "昨晚电梯突然停在两层之间，困人二十分钟"),
    "lift_noise": ("电梯运行异响", "电梯运行时有异响，晃动明显，担心安全"),
    "noise_reno": ("装修噪音扰民", "楼上装修噪音很大，周末早上七点就开始电钻"),
    "noise_dance": ("广场舞噪音", "中心花园晚上广场舞音乐太吵，影响孩子学习"),
    "noise_ac": ("空调外机噪音", "邻居空调外机噪音很大，晚上无法休息"),
    "park_taken": ("停车位被占", "我的产权停车位经常被外来车辆占用"),
    "park_fee": ("停车费争议", "地下车库停车费比合同约定的标准高"),
    "park_ev": ("充电桩安装", "想在自己的停车位安装充电桩，物业不同意"),
    "fee_wrong": ("物业费计费有误", "物业费按建筑面积计算，多收了三个月的费用"),
    "fee_raise": ("物业费上涨", "物业公司未经业主大会同意上调物业费"),
    "fund": ("维修基金使用", "维修基金的使用情况没有公示，要求查账"),
    "door_access": ("门禁失灵", "单元门禁卡刷不开，晚上回家进不去"),
    "stranger": ("陌生人进入小区", "保安不登记，陌生人随意进入小区"),
    "camera": ("监控摄像头损坏", "地下车库监控摄像头坏了很久，车被刮了查不到"),
    "ebike": ("电动车楼道充电", "有住户把电动车推进楼道充电，存在消防隐患"),
    "fire_exit": ("消防通道堵塞", "消防通道被私家车和杂物堵塞"),
    "garbage": ("垃圾清运不及时", "楼下垃圾桶满了两天没人清理，气味很大"),
    "hallway": ("楼道卫生差", "楼道地面油污，保洁很久没来打扫"),
    "green": ("绿化带枯死", "小区绿化带大片枯死，没人补种"),
    "tree": ("树枝遮挡窗户", "楼前大树树枝长到窗前，挡住采光，还有虫子"),
    "attitude": ("前台态度差", "物业前台人员态度冷淡，推诿不管"),
    "repairman": ("维修工服务不规范", "维修师傅上门不穿工服，乱收材料费"),
    "hollow": ("地面空鼓", "客厅地砖空鼓，踩上去有响声"),
    "tile": ("阳台瓷砖脱落", "阳台墙面瓷砖脱落，差点砸到人"),
    "damp": ("墙体返潮", "一楼墙体返潮发霉，墙皮脱落"),
    "drain": ("下水道堵塞", "厨房下水道堵塞，污水倒灌"),
    "pressure": ("水压低", "高峰时段水压太低，热水器打不着火"),
    "power": ("突然停电", "小区突然停电，没有提前通知"),
    "gas": ("燃气泄漏", "厨房闻到燃气味，怀疑燃气管道泄漏"),
    "parcel": ("快递丢失", "快递放在门口经常丢失，快递柜不够用"),
    "lock": ("入户门锁坏了", "入户门锁芯损坏，门关不严"),
    "handover": ("交房延期", "开发商交房延期三个月，要求赔偿"),
    "certificate": ("房产证办理慢", "交房两年了房产证还没办下来"),
    "dog": ("宠物扰民", "邻居养狗不拴绳，晚上狗叫扰民"),
    "garage_light": ("地库照明不亮", "地下车库照明灯坏了一半，很黑"),
    "heating": ("暖气不热", "冬天暖气不热，室温只有十五度"),
}

QUERIES = {  # query: the cases it must find
    "漏水": {"leak_bath", "leak_kitchen", "roof"},
    "电梯": {"lift_stop", "lift_trap", "lift_noise"},
    "梯": {"lift_stop", "lift_trap", "lift_noise"},
    "外墙渗水": {"wall_seep", "wall_crack"},
    "渗水": {"ceiling", "wall_seep", "wall_crack", "window_seep"},
    "噪音": {"noise_reno", "noise_dance", "noise_ac"},
    "停车位": {"park_taken", "park_ev"},
    "物业费": {"fee_wrong", "fee_raise"},
    "门禁": {"door_access"},
    "监控": {"camera"},
    "充电": {"park_ev", "ebike"},
    "消防": {"ebike", "fire_exit"},
    "垃圾": {"garbage"},
    "保洁": {"hallway"},
    "绿化": {"green"},
    "态度": {"attitude"},
    "维修基金": {"fund"},
    "空鼓": {"hollow"},
    "瓷砖": {"tile"},
    "发霉": {"leak_bath", "wall_seep", "damp"},
    "返潮": {"damp"},
    "下水道": {"drain"},
    "水压": {"pressure"},
    "停电": {"power"},
    "燃气": {"gas"},
    "快递": {"parcel"},
    "门锁": {"lock"},
    "交房": {"handover", "certificate"},
    "房产证": {"certificate"},
    "扰民": {"noise_reno", "dog"},
    "广场舞": {"noise_dance"},
    "暖气": {"heating"},
    "地下车库": {"park_fee", "camera", "garage_light"},
    "天花板": {"leak_bath", "ceiling"},
    "停车费": {"park_fee"},
    "楼道": {"ebike", "hallway"},
    "卫生间漏水": {"leak_bath"},
    "电梯困人": {"lift_trap"},
    "物业前台": {"attitude"},
    "厨房 漏水": {"leak_kitchen"},
}


@pytest.fixture
def labelled(place, users):
    ids = {}
    for i, (key, (title, description)) in enumerate(CASES.items()):
        owner = i % len(place["owners"])
        ids[key] = services.complaint_register(
            received_by=users["front_desk"], kind="complaint", channel="phone", category="other", title=title,
            description=description, customer=place["owners"][owner], unit=place["units"][owner],
            received_at=timezone.now()).pk
    return ids


def test_the_labelled_queries_find_at_least_95_percent_of_their_cases(labelled):
    assert len(QUERIES) >= 30
    keys = {pk: key for key, pk in labelled.items()}
    expected = found_expected = found_total = found_relevant = 0
    missed = {}
    for query, wanted in QUERIES.items():
        ids, _total = search.ranked(Complaint.objects.all(), query, phones=False, limit=100)
        found = {keys[pk] for pk in ids}
        expected += len(wanted)
        found_expected += len(wanted & found)
        if wanted - found:
            missed[query] = wanted - found
        # What is found holds every word asked for (as the words are written, not a guess).
        for key in found:
            found_total += 1
            text = "".join(CASES[key])
            found_relevant += all(word in text for word in query.split())
    recall = found_expected / expected
    assert recall >= 0.95, (recall, missed)
    assert found_relevant / found_total >= 0.9


def test_the_register_page_finds_a_labelled_case_by_its_words(client, users, labelled):
    from django.urls import reverse

    client.force_login(users["cs_supervisor"])
    body = client.get(reverse("complaints:register"), {"q": "外墙渗水"}).content.decode()
    numbers = dict(Complaint.objects.values_list("pk", "number"))
    assert numbers[labelled["wall_seep"]] in body and numbers[labelled["wall_crack"]] in body
    assert numbers[labelled["ceiling"]] not in body
