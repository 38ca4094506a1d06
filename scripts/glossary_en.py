"""The English words for the domain's Chinese terms, one choice per term.

`crm/tests/test_translations.py` checks the catalogue against it: every msgid that contains a
term has an English msgstr that contains the term's word (case-insensitive; a hyphen counts as a
space, so "return-visit rate" has "return visit"). Where a word must bend ("complainant",
"approver"), the entry is the stem that every form shares. Keep only terms that are always
translated the same way; a term with two honest translations does not belong here.
The words follow /work/shared/DOMAIN.md's English.
"""

GLOSSARY = {
    "首问": "first respon",          # 首问责任人 first responder
    "服务时限": "time limit",
    "时限": "time limit",
    "重大投诉": "major complaint",
    "回访": "return visit",
    "处置方案": "disposal plan",
    "客情": "preference profile",
    "业主": "owner",
    "物业公司": "property company",
    "按揭": "mortgage",
    "产权证": "certificate",          # title certificate (小产权证/分户产权证)
    "纠纷": "dispute",
    "投诉": "complain",              # complaint, complainant
    "座谈会": "forum",
    "客户会": "club",
    "代办": "agen",                  # agent company, agency agreement
    "律师函": "lawyer's letter",
    "诉讼": "litigation",
    "审批": "approv",                # approval, approve, approver
    "节假日安排": "holiday arrangement",
    "调休": "make-up working day",
    "保修": "warranty",
    "整改": "rectification",
    "纠正和预防措施": "corrective and preventive action",
    "满意度": "satisfaction",
    "调阅": "access",
    "入伙": "move-in",
    "担保": "guarantee",
    "督促": "chase",
    "客户助理": "customer assistant",
    "业主委员会": "owners' committee",
    "工作日历": "working calendar",
    "导出": "export",
    "磋商": "negotiat",
}
