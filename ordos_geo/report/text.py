"""Captions of the static report in Chinese and English.

English captions contain no CJK characters: the only Chinese allowed in the English
report are data values (place names, citations, document titles) and the bilingual
"示意数据 / illustrative" stamp, which the renderers mark with ``class="data"`` /
``class="stamp"``.
"""

from __future__ import annotations

__all__ = ["COLUMN_NAMES", "MAP_TEXT", "T", "tr"]

from ordos_geo.i18n import Lang

T: dict[str, dict[str, str]] = {
    "report_title": {"zh": "鄂尔多斯市新能源选址与项目准入分析报告",
                     "en": "Ordos renewable-energy siting and project screening report"},
    "subtitle": {"zh": "依据《鄂尔多斯市减污降碳协同增效实施方案》",
                 "en": "Under the Ordos implementation plan for synergistic reduction of "
                       "pollution and carbon emissions"},
    "plan_name": {"zh": "鄂环发〔2023〕76号", "en": "鄂环发〔2023〕76号"},
    "generated": {"zh": "生成日期", "en": "Generated"},
    "results_dir": {"zh": "结果目录", "en": "Results folder"},
    "toc": {"zh": "目录", "en": "Contents"},
    "not_computed": {"zh": "未计算：缺少结果文件", "en": "Not computed: result file missing"},
    "stamp": {"zh": "示意数据——含示意图层，请以官方数据替换后再用于决策",
              "en": "Illustrative data — contains illustrative layers; replace with "
                    "official data before any decision"},
    "figure": {"zh": "图", "en": "Figure"},
    "table": {"zh": "表", "en": "Table"},
    "page": {"zh": "第 {n} 页", "en": "page {n}"},
    "pv": {"zh": "光伏", "en": "PV"},
    "wind": {"zh": "风电", "en": "Wind"},
    # sections
    "sec_summary": {"zh": "一、总体结论", "en": "1. Summary"},
    "sec_banners": {"zh": "二、分旗区可开发容量", "en": "2. Potential by banner"},
    "sec_sites": {"zh": "三、候选场址", "en": "3. Candidate sites"},
    "sec_suitability": {"zh": "四、适宜性与排除因素", "en": "4. Suitability and exclusions"},
    "sec_screening": {"zh": "五、拟建项目筛查结论", "en": "5. Project screening verdicts"},
    "sec_layers": {"zh": "附录一、图层来源", "en": "Appendix A. Layer provenance"},
    "sec_methods": {"zh": "附录二、方法、假设与参数", "en": "Appendix B. Methods, assumptions and "
                    "parameters"},
    # summary
    "tab_summary": {"zh": "可开发面积、候选场址容量与技术潜力",
                    "en": "Eligible area, candidate-site capacity and technical potential"},
    "col_kind": {"zh": "类型", "en": "Type"},
    "col_eligible": {"zh": "可开发面积 (km²)", "en": "Eligible area (km²)"},
    "col_total": {"zh": "研究区面积 (km²)", "en": "Study area (km²)"},
    "col_share": {"zh": "占比 (%)", "en": "Share (%)"},
    "col_sites": {"zh": "候选场址 (个)", "en": "Candidate sites"},
    "col_cap_gw": {"zh": "候选场址容量 (GW)", "en": "Candidate-site capacity (GW)"},
    "col_tech_gw": {"zh": "技术潜力上限 (GW)", "en": "Technical potential, upper bound (GW)"},
    "p_potential": {"zh": "光伏与风电候选场址（评分不低于阈值的全部可开发土地，"
                          "按场址规模规则划分）合计容量 ",
                    "en": "The candidate PV and wind sites (all eligible land scoring at or "
                          "above the threshold, in project-sized sites) add up to "},
    "p_gw_vs_target": {"zh": " GW；规划目标为 2025 年可再生能源装机 ",
                       "en": " GW. The plan's 2025 target is a renewable capacity of "},
    "p_target_open": {"zh": " GW（", "en": " GW ("},
    "plan_clause": {"zh": "鄂环发〔2023〕76号 二(六)1", "en": "鄂环发〔2023〕76号 二(六)1"},
    "p_target_close": {"zh": "）。", "en": "). "},
    "p_installed": {"zh": "2025 年底全市新能源装机 ",
                    "en": "Installed new-energy capacity at the end of 2025 was "},
    "p_gap": {"zh": " GW，距目标尚差 ", "en": " GW, leaving a gap of "},
    "p_ratio": {"zh": " GW；候选场址容量约为缺口的 ",
                "en": " GW to the target; the candidate-site capacity is "},
    "p_ratio_end": {"zh": " 倍。", "en": " times that gap."},
    "p_plan_default": {
        "zh": "注：结果文件未给出目标与已装机数值，采用规划文本数值（50 GW）"
              "与 2025 年底装机 27.79 GW。",
        "en": "Note: the result files carry no target or installed figures; the plan value "
              "(50 GW) and the end-2025 installed capacity (27.79 GW) are used."},
    "p_potential_caveat": {
        "zh": "候选场址容量：光伏 = 场址面积 × 装机密度（组件功率 × 地面覆盖率 × 阵列占地比例），"
              "风电 = 场址内按风机间距布置的风机台数 × 单机容量；"
              "技术潜力上限 = 全部可开发土地 × 装机密度，"
              "不考虑场址规模、电网容量与其他用途。二者都是土地与资源约束下的估算，"
              "不是建设计划或预测；未考虑消纳与用地审批。按度电成本排序的供给曲线见第三节。",
        "en": "Candidate-site capacity: PV = site area × density (module power × ground-cover "
              "ratio × array share); wind = the turbines the spacing rule places in the sites "
              "× their rating. Technical potential = all eligible land × density, ignoring "
              "site size, grid capacity and competing uses. Both are estimates under land and "
              "resource constraints, not a build plan or forecast; curtailment and land "
              "approval are not considered. Section 3 ranks the sites by levelised cost "
              "(supply curve)."},
    "tab_pv_curve": {"zh": "光伏：候选场址容量随评分阈值的变化",
                     "en": "PV: candidate-site capacity against the score threshold"},
    "tab_wind_curve": {"zh": "风电：候选场址容量随评分阈值的变化",
                       "en": "Wind: candidate-site capacity against the score threshold"},
    "tab_pv_supply": {"zh": "光伏：度电成本最低的 {n} 个场址（供给曲线，共 {total} 个）",
                      "en": "PV: the {n} cheapest sites (supply curve, of {total})"},
    "tab_wind_supply": {"zh": "风电：度电成本最低的 {n} 个场址（供给曲线，共 {total} 个）",
                        "en": "Wind: the {n} cheapest sites (supply curve, of {total})"},
    "p_supply": {"zh": "{kind}：候选场址 {gw:.1f} GW，年发电量 {twh:.1f} TWh，"
                       "平均满发小时 {flh:,.0f} h；度电成本 {lo:.3f}–{hi:.3f} 元/kWh"
                       "（中位数 {med:.3f}）。资源数据：{src}。",
                 "en": "{kind}: candidate sites {gw:.1f} GW, {twh:.1f} TWh/yr, mean full-load "
                       "hours {flh:,.0f} h; levelised cost {lo:.3f}–{hi:.3f} CNY/kWh (median "
                       "{med:.3f}). Resource: {src}."},
    # banners / sites / exclusions
    "tab_pv_banners": {"zh": "光伏：分旗区候选场址与容量",
                       "en": "PV: candidate sites and capacity by banner"},
    "tab_wind_banners": {"zh": "风电：分旗区候选场址与容量",
                         "en": "Wind: candidate sites and capacity by banner"},
    "tab_pv_sites": {"zh": "光伏：容量最大的 {n} 个候选场址（共 {total} 个）",
                     "en": "PV: the {n} largest candidate sites (of {total})"},
    "tab_wind_sites": {"zh": "风电：容量最大的 {n} 个候选场址（共 {total} 个）",
                       "en": "Wind: the {n} largest candidate sites (of {total})"},
    "tab_pv_excl": {"zh": "光伏：各排除因素扣除面积", "en": "PV: area removed by each exclusion"},
    "tab_wind_excl": {"zh": "风电：各排除因素扣除面积",
                      "en": "Wind: area removed by each exclusion"},
    # screening
    "tab_projects": {"zh": "拟建项目及总体结论", "en": "Proposed projects and overall verdicts"},
    "tab_hits": {"zh": "触发的规则及条款", "en": "Rules triggered, with their clauses"},
    "p_verdict_counts": {"zh": "各结论项目数：", "en": "Projects per verdict:"},
    "p_truncated": {"zh": "以下仅列出最严重的前 {n} 项（共 {total} 项），"
                          "完整清单见 conflicts.csv 与 verdicts.xlsx。",
                    "en": "Only the {n} most severe of {total} rows are listed; the full lists "
                          "are in conflicts.csv and verdicts.xlsx."},
    # layers
    "tab_layers": {"zh": "图层、来源与许可", "en": "Layers, sources and licences"},
    "p_illustrative": {
        "zh": "数据性质标为“示意”的图层为依据公开资料绘制的示意数据，不是官方边界；据此得到的面积、"
              "场址与筛查结论仅供方法演示，须以官方数据替换后重新计算。",
        "en": "Layers marked illustrative were drawn from published facts, not official "
              "boundaries; areas, sites and verdicts that depend on them only demonstrate the "
              "method and must be recomputed with official data."},
    # methods
    "p_methods": {
        "zh": "排除因素按栅格单元中心判定，缓冲区按欧氏距离计算；适宜性评分为各因子标准化值的加权和"
              "（0–100），规划优先区域（库布其、毛乌素、采煤沉陷区、露天矿复垦区、孔兑两岸）按配置加分；"
              "候选场址为评分不低于阈值的连通区域（8 邻域）且面积不小于最小面积；"
              "容量 = 面积 × 装机密度。"
              "面积均在等积 Albers 投影中计算。下表各参数取自结果文件。",
        "en": "Exclusions are decided by cell centre and buffers by Euclidean distance; the "
              "suitability score is the weighted sum of normalised factors (0–100), with the "
              "configured bonus in the plan's priority zones (Kubuqi, Mu Us, coal-mining "
              "subsidence, open-pit reclamation, Kongdui banks); candidate sites are connected "
              "regions (8-connectivity) scoring at least the threshold and no smaller than the "
              "minimum area; capacity = area × capacity density. Areas are computed in the "
              "equal-area Albers projection. The parameters below are read from the result "
              "files."},
    "tab_pv_methods": {"zh": "光伏：权重、参数与资源假设",
                       "en": "PV: weights, parameters and resource assumptions"},
    "tab_wind_methods": {"zh": "风电：权重、参数与资源假设",
                         "en": "Wind: weights, parameters and resource assumptions"},
    "grp_weights": {"zh": "权重", "en": "weight"},
    "grp_parameters": {"zh": "参数", "en": "parameter"},
    "grp_resource": {"zh": "资源", "en": "resource"},
    "grp_run": {"zh": "运行", "en": "run"},
    "grp_plan": {"zh": "规划", "en": "plan"},
    "grp_preferences": {"zh": "优先区域加分", "en": "priority bonus"},
    "col_group": {"zh": "类别", "en": "Group"},
    "col_param": {"zh": "名称", "en": "Name"},
    "col_value": {"zh": "取值", "en": "Value"},
}

#: Column captions for result-file columns; unknown columns keep their (ASCII) name.
COLUMN_NAMES: dict[str, dict[str, str]] = {
    "name_zh": {"zh": "旗区", "en": "Banner (zh)"},
    "name_en": {"zh": "旗区（英文）", "en": "Banner"},
    "adcode": {"zh": "行政区划代码", "en": "Adcode"},
    "n_sites": {"zh": "场址数", "en": "Sites"},
    "area_km2": {"zh": "面积 (km²)", "en": "Area (km²)"},
    "capacity_mw": {"zh": "容量 (MW)", "en": "Capacity (MW)"},
    "site_id": {"zh": "场址编号", "en": "Site"},
    "banner": {"zh": "所在旗区", "en": "Banner"},
    "mean_score": {"zh": "平均评分", "en": "Mean score"},
    "max_score": {"zh": "最高评分", "en": "Max score"},
    "preferred": {"zh": "优先区域", "en": "Priority zone"},
    "id": {"zh": "编号", "en": "ID"},
    "name": {"zh": "名称", "en": "Name"},
    "industry": {"zh": "行业", "en": "Industry"},
    "stage": {"zh": "阶段", "en": "Stage"},
    "verdict": {"zh": "结论", "en": "Verdict"},
    "area_ha": {"zh": "面积 (公顷)", "en": "Area (ha)"},
    "area_mu": {"zh": "面积 (亩)", "en": "Area (mu)"},
    "project_id": {"zh": "项目编号", "en": "Project"},
    "rule_id": {"zh": "规则", "en": "Rule"},
    "severity": {"zh": "严重程度", "en": "Severity"},
    "citation": {"zh": "依据条款", "en": "Citation"},
    "overlap_ha": {"zh": "重叠 (公顷)", "en": "Overlap (ha)"},
    "overlap_mu": {"zh": "重叠 (亩)", "en": "Overlap (mu)"},
    "title_zh": {"zh": "图层名称", "en": "Title (zh)"},
    "title_en": {"zh": "图层名称（英文）", "en": "Title"},
    "kind": {"zh": "类型", "en": "Kind"},
    "provenance": {"zh": "数据性质", "en": "Provenance"},
    "source": {"zh": "来源", "en": "Source"},
    "licence": {"zh": "许可", "en": "Licence"},
    "vintage": {"zh": "年份", "en": "Vintage"},
    "features": {"zh": "要素数", "en": "Features"},
    "reason": {"zh": "排除因素", "en": "Exclusion"},
    "code": {"zh": "代码", "en": "Code"},
    "banner_zh": {"zh": "所在旗区", "en": "Banner (zh)"},
    "min_score": {"zh": "评分阈值", "en": "Score threshold"},
    "sites": {"zh": "场址数", "en": "Sites"},
    "gw": {"zh": "容量 (GW)", "en": "Capacity (GW)"},
    "rank": {"zh": "排序", "en": "Rank"},
    "annual_energy_mwh": {"zh": "年发电量 (MWh)", "en": "Energy (MWh/yr)"},
    "full_load_hours": {"zh": "满发小时 (h)", "en": "Full-load hours (h)"},
    "grid_distance_km": {"zh": "距电网 (km)", "en": "To grid (km)"},
    "lcoe_cny_per_kwh": {"zh": "度电成本 (元/kWh)", "en": "LCOE (CNY/kWh)"},
    "cumulative_gw": {"zh": "累计容量 (GW)", "en": "Cumulative (GW)"},
    "n_turbines": {"zh": "风机台数", "en": "Turbines"},
    "banner_en": {"zh": "所在旗区（英文）", "en": "Banner"},
    "landcover_label": {"zh": "主要地类", "en": "Land cover"},
    "rules_hit": {"zh": "命中规则", "en": "Rules hit"},
    "rule_title": {"zh": "规则内容", "en": "Rule"},
    "buffer_m": {"zh": "缓冲 (m)", "en": "Buffer (m)"},
    "first_km2": {"zh": "扣除面积 (km²，按顺序)", "en": "Removed (km², in order)"},
    "total_km2": {"zh": "重叠面积 (km²，合计)", "en": "Overlap (km², total)"},
}


def tr(key: str, lang: Lang) -> str:
    """Caption ``key`` in ``lang``."""
    return T[key][lang]


#: Captions drawn on the static maps (``ordos_geo.report.figures``).
MAP_TEXT: dict[str, dict[Lang, str]] = {
    "overview": {"zh": "鄂尔多斯市 基础图层与管控要素",
                 "en": "Ordos: base layers and control layers"},
    "pv_suitability": {"zh": "光伏适宜性评分", "en": "PV suitability score"},
    "wind_suitability": {"zh": "风电适宜性评分", "en": "Wind suitability score"},
    "sites": {"zh": "光伏与风电候选场址", "en": "Candidate PV and wind sites"},
    "screening": {"zh": "拟建项目筛查结论", "en": "Screened projects by verdict"},
    "banners": {"zh": "旗区界线", "en": "Banner / district boundary"},
    "river": {"zh": "黄河", "en": "Yellow River"},
    "excluded": {"zh": "排除区域", "en": "Excluded"},
    "score": {"zh": "适宜性评分 (0–100)", "en": "Suitability score (0–100)"},
    "pv_sites": {"zh": "光伏候选场址", "en": "PV candidate sites"},
    "wind_sites": {"zh": "风电候选场址", "en": "Wind candidate sites"},
    "north": {"zh": "北", "en": "N"},
    "crs_work": {
        "zh": "坐标系：Albers 等积圆锥投影（GRS80，标准纬线 38°N / 40.5°N，中央经线 108.6°E，米）",
        "en": "CRS: Albers equal-area conic (GRS80, standard parallels 38°N / 40.5°N, "
              "central meridian 108.6°E, metres)",
    },
    "crs_4326": {"zh": "坐标系：WGS 84 经纬度（EPSG:4326）",
                 "en": "CRS: WGS 84 longitude/latitude (EPSG:4326)"},
    "date": {"zh": "制图日期", "en": "Map date"},
    "sources": {"zh": "数据来源", "en": "Data"},
    "not_computed": {"zh": "未计算（缺少结果文件）", "en": "not computed (result file missing)"},
    "legend": {"zh": "图例", "en": "Legend"},
    "tool": {"zh": "由 ordos_geo 生成", "en": "made with ordos_geo"},
    "more_sources": {"zh": "……完整来源见报告“图层来源”一节",
                     "en": "... full list in the report's layer provenance section"},
}
