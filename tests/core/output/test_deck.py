"""The meeting's slide deck: slides, titles, figures as text, pictures, fonts, notes; the CLI;
and, through LibreOffice, Chinese glyphs on the rendered slide."""

import io
import shutil
import subprocess

import pytest
from PIL import Image, ImageChops
from pptx import Presentation
from pptx.util import Emu

from core.__main__ import main
from core.base.periods import Convention, Period
from core.figures import briefing as B
from core.figures import measures as M
from core.figures import overview as O
from core.figures.scope import Scope
from core.output import agenda as A
from core.output import charts, deck, pages
from core.store.versions import Store
from tests.access_kit import ADMIN

MEETING = A.Agenda(
    "3月调度会",
    (
        A.View("overview"),
        A.View("overview", counties=("青山县",)),
        A.View("progress", sectors=("产业项目",)),
        A.View("factors"),
        A.View("map", counties=("青山县", "临湖县")),
    ),
)


@pytest.fixture(scope="module")
def slides(demo):
    data = deck.pptx_bytes(demo, MEETING, demo.latest_period, Convention.MONTHS)
    return Presentation(io.BytesIO(data))


def _texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text]


def _pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE


# One slide a 汇报模式 screen of each view's page (core.output.pages), in the screens' order.
SLIDES = [
    ("总览 · 全市:年度投资", "范围:全市 · 全部行业领域 · 省重点 · 截至2026年2月底", []),
    ("总览 · 全市:区县排名与行业构成", "范围:全市 · 全部行业领域", ["各区县完成率排名(按与序时进度之差)", "年度投资项目行业构成"]),
    ("总览 · 全市:资金来源", "范围:全市 · 全部行业领域", ["已落实项目资金来源"]),
    ("总览 · 青山县:年度投资", "范围:青山县 · 全部行业领域 · 省重点 · 截至2026年2月底", []),
    ("总览 · 青山县:区县排名与行业构成", "范围:青山县", ["各区县完成率排名(按与序时进度之差)", "年度投资项目行业构成"]),
    ("总览 · 青山县:资金来源", "范围:青山县", ["已落实项目资金来源"]),
    ("项目进度 · 全市 · 产业项目:项目清单", "范围:全市 · 产业项目 · 省重点 · 截至2026年2月底", []),
    ("项目进度 · 全市 · 产业项目:单个项目", "范围:全市 · 产业项目", ["青山县医疗器械产业园建设项目:累计完成与计划"]),
    ("要素保障 · 全市:存在问题", "范围:全市 · 全部行业领域 · 省重点 · 截至2026年2月底", ["存在问题按类型", "存在问题按区县"]),
    ("要素保障 · 全市:未解决问题清单", "范围:全市", []),
    ("要素保障 · 全市:资金保障", "范围:全市", ["已落实项目资金来源", "各区县已落实资金"]),
    ("项目地图 · 青山县、临湖县", "范围:青山县、临湖县 · 全部行业领域", ["各区县完成率"]),
]  # fmt: skip


def test_deck_is_16_9_with_a_title_slide_and_one_slide_per_screen(slides):
    assert (slides.slide_width, slides.slide_height) == (Emu(12192000), Emu(6858000))
    assert len(slides.slides) == 1 + len(SLIDES)
    title = _texts(slides.slides[0])
    assert title[0] == "3月调度会"
    assert "截至2026年2月底" in title[1]


@pytest.mark.parametrize(("index", "title", "subtitle", "charts"), [
    (i, *s) for i, s in enumerate(SLIDES, start=1)
])  # fmt: skip
def test_each_screen_slide(slides, index, title, subtitle, charts):
    slide = slides.slides[index]
    texts = _texts(slide)
    assert texts[0] == title
    assert texts[1].startswith(subtitle)
    assert [p._element.nvPicPr.cNvPr.get("descr") for p in _pictures(slide)] == charts


def test_overview_slide_of_funding_shows_the_funding_chart(slides, demo):
    """The 资金来源 screen's chart (dropped from the one 总览 slide before), its sentence as notes."""
    (picture,) = _pictures(slides.slides[3])
    assert picture._element.nvPicPr.cNvPr.get("descr") == "已落实项目资金来源"
    notes = slides.slides[3].notes_slide.notes_text_frame.text
    scope = Scope(demo.latest_period)
    assert notes == O.funding_sentence(M.funding_by_channel(demo, scope), scope)


def test_overview_figures_are_editable_text_with_the_report_figures(slides):
    texts = "\n".join(_texts(slides.slides[1]))
    for figure in ("项目数\n106个", "1-2月完成投资(亿元)\n172.6", "完成率\n14.3%",
                   "已落实资金(亿元)\n1200.0"):  # fmt: skip
        assert figure in texts


def test_progress_slide_has_the_table_of_projects_furthest_behind(slides, demo):
    """As many rows as fit the slide, worst first, and which of how many they are."""
    tables = [s.table for s in slides.slides[7].shapes if s.has_table]
    assert len(tables) == 1
    header = [c.text for c in tables[0].rows[0].cells]
    assert header[:3] == ["项目名称", "区县", "状态"]
    behind = B.furthest_behind(
        demo, Scope(demo.latest_period, sectors=("产业项目",)), Convention.MONTHS, 1000
    )
    shown = len(tables[0].rows) - 1
    assert [tables[0].cell(i, 0).text for i in range(1, shown + 1)] == list(
        behind["项目名称"][:shown]
    )
    assert shown >= 6
    assert f"第1–{shown}个项目,共{len(behind)}个项目" in _texts(slides.slides[7])


def test_speaker_notes_hold_the_briefing_for_that_scope(slides, demo):
    scope = Scope(demo.latest_period, counties=("青山县",))
    notes = slides.slides[4].notes_slide.notes_text_frame.text
    assert notes == B.construction_paragraph(demo, scope, Convention.MONTHS)
    assert "青山县" in notes


def test_chinese_runs_name_the_east_asian_font(slides):
    faces = set()
    for slide in slides.slides:
        for shape in slide.shapes:
            if not shape.has_text_frame:
                continue
            for para in shape.text_frame.paragraphs:
                for run in para.runs:
                    ea = run._r.rPr.find(
                        "{http://schemas.openxmlformats.org/drawingml/2006/main}ea"
                    )
                    assert ea is not None, run.text
                    faces.add(ea.get("typeface"))
    assert faces <= {"黑体", "仿宋"} and "黑体" in faces


def _runs(shape):
    frames = [shape.text_frame] if shape.has_text_frame else []
    if shape.has_table:
        frames = [cell.text_frame for row in shape.table.rows for cell in row.cells]
    return [(run, frame) for frame in frames for para in frame.paragraphs for run in para.runs]


def assert_projectable(prs) -> None:
    """Every text at least 14 pt; every text box's estimated text within its box and every
    shape on the slide; every chart drawn at its size on the slide, one CSS pixel a point,
    so its fonts (at least 14 px) are at least 14 pt."""
    width, height = prs.slide_width, prs.slide_height
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            where = f"slide {number}: {shape.name}"
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= width and shape.top + shape.height <= height, where
            for run, _ in _runs(shape):
                assert run.font.size is not None and run.font.size.pt >= 14, (where, run.text)
            if shape.has_text_frame and shape.text_frame.text:
                lines = [(p.runs[0].text, p.runs[0].font.size.pt)
                         for p in shape.text_frame.paragraphs if p.runs]  # fmt: skip
                assert deck.text_height(lines, Emu(shape.width).pt) <= Emu(shape.height).pt, where
        for picture in _pictures(slide):
            px_wide, px_high = picture.image.size
            per_point = deck.CHART_DPI / 72  # the PNG's pixels per CSS pixel
            assert px_wide / per_point == pytest.approx(Emu(picture.width).pt, rel=0.01)
            assert px_high / per_point == pytest.approx(Emu(picture.height).pt, rel=0.01)


def _font_sizes(spec) -> list[float]:
    if isinstance(spec, dict):
        return [
            v for k, v in spec.items() if k.endswith("ontSize") and isinstance(v, float | int)
        ] + [s for k, v in spec.items() if not k.endswith("ontSize") for s in _font_sizes(v)]
    if isinstance(spec, list):
        return [s for v in spec for s in _font_sizes(v)]
    return []


def test_the_deck_reads_from_the_back_of_the_room(slides):
    assert_projectable(slides)


def test_every_chart_of_the_meeting_has_no_font_under_14_px_at_its_slide_size(demo):
    sizes = []
    for view in MEETING.views:
        for c in deck.slides(demo, view, demo.latest_period, Convention.MONTHS):
            for chart in c.charts:
                spec = deck.slide_spec(chart, 420, 300)
                assert (spec["width"], spec["height"]) == (420, 300)
                assert spec["autosize"] == {"type": "fit", "contains": "padding"}
                sizes += _font_sizes(spec)
    # The charts' own type: 15 px axes and legends, 22 px titles (charts.py); text marks
    # without a size get 14, none is scaled down.
    assert min(sizes) == 14 and max(sizes) == 22


def test_slide_png_is_the_box_at_216_dpi(demo):
    scope = Scope(demo.latest_period)
    chart = charts.funding_by_source(M.funding_by_source(demo, scope), scope)
    png, fit = deck.slide_png(chart, 432, 288)  # 6 × 4 in
    assert fit == 1.0
    assert Image.open(io.BytesIO(png)).size == (1296, 864)


def test_a_long_briefing_goes_on_to_a_continued_slide(demo):
    """The 简报 of the city is two slides of text: nothing cut, nothing twice, in order."""
    data = deck.pptx_bytes(demo, A.Agenda("简报", (A.View("briefing"),)), demo.latest_period,
                           Convention.MONTHS)  # fmt: skip
    prs = Presentation(io.BytesIO(data))
    assert [_texts(s)[0] for s in list(prs.slides)[1:]] == ["简报 · 全市", "简报 · 全市（续）"]
    shown = "".join("".join(_texts(s)[2:]).replace("\n", "") for s in list(prs.slides)[1:])
    text = B.write(demo, Scope(demo.latest_period), Convention.MONTHS)
    assert shown == "".join(f"{s.heading}{s.text}" for s in text.sections)
    assert_projectable(prs)


def test_fitting_cuts_a_paragraph_at_a_sentence_end():
    para = "甲" * 30 + "。" + "乙" * 200
    box = Emu(int((16 * 10 + 2 * deck.INSET.pt) * 12700))  # ten characters of 16 pt a line
    high = Emu(int((16 * deck.LINE_SPACING * 5 + 2 * deck.INSET_Y.pt) * 12700))  # five lines
    shown, rest = deck._fitting(["短句。", para], 16, box, high)
    assert shown == ["短句。", "甲" * 30 + "。"]
    assert rest == ["乙" * 200]


def test_cli_deck_by_agenda_and_by_filters(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    A.Agendas(Store(url)).save(MEETING, actor=ADMIN)
    out = tmp_path / "会.pptx"
    assert main(["deck", "--agenda", "3月调度会", "--out", str(out)]) == 0
    assert len(Presentation(str(out)).slides) == 1 + len(SLIDES)
    every = tmp_path / "城东区.pptx"
    assert main(["deck", "--county", "城东区", "--period", "2026-01", "--out", str(every)]) == 0
    prs = Presentation(str(every))
    titles = [_texts(s)[0] for s in list(prs.slides)[1:]]
    for page in pages.presented():  # every 汇报模式 screen has its slide, in order
        want = [f"{page.title} · 城东区" + (f":{s}" if s != page.title else "")
                for s in page.screens]  # fmt: skip
        assert [t for t in titles if t.split(" · ")[0] == page.title and "（续）" not in t] == want
    assert len(titles) >= sum(len(p.screens) for p in pages.presented())
    assert_projectable(prs)
    assert _texts(prs.slides[1])[1].startswith(
        "范围:城东区 · 全部行业领域 · 省重点 · 截至2026年1月底"
    )
    assert main(["deck", "--agenda", "没有这个会"]) == 1
    assert "没有名为“没有这个会”的会议议程" in capsys.readouterr().err


def _render_first_slide(pptx: bytes, folder) -> Image.Image:
    src = folder / "deck.pptx"
    src.write_bytes(pptx)
    subprocess.run(
        [shutil.which("soffice"), "--headless", "--norestore",
         f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf",
         "--outdir", str(folder), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    subprocess.run(
        ["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", str(folder / "deck.pdf"),
         str(folder / "slide")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return Image.open(next(folder.glob("slide*.png"))).convert("L")


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm")),
    reason="LibreOffice Impress (soffice) or poppler's pdftoppm is not installed",
)
def test_rendered_slide_shows_chinese_glyphs_not_boxes(demo, tmp_path):
    """Missing glyphs all draw as the same empty box, so two titles of one length would render
    the same; real glyphs differ, and have more ink than boxes."""
    period = Period(2026, 2)
    images = []
    for i, name in enumerate(("项目推进调度会", "投资增长分析会")):
        folder = tmp_path / str(i)
        folder.mkdir()
        data = deck.pptx_bytes(demo, A.Agenda(name, (A.View("briefing"),)), period,
                               Convention.MONTHS)  # fmt: skip
        images.append(_render_first_slide(data, folder))
    a, b = images
    w, h = a.size
    title_strip = (0, int(h * 0.25), w, int(h * 0.47))
    diff = ImageChops.difference(a.crop(title_strip), b.crop(title_strip))
    changed = sum(1 for v in diff.getdata() if v > 60)
    assert changed > 400, "the two titles render alike: Chinese glyphs are missing"
    ink = sum(1 for v in a.crop(title_strip).getdata() if v < 160)
    assert ink > 800


def _ink_lines(strip: Image.Image) -> list[int]:
    """The heights in pixels of the bands of rows with ink in `strip`: one a line of text."""
    width = strip.width
    pixels = strip.load()
    inked = [any(pixels[x, y] < 128 for x in range(width)) for y in range(strip.height)]
    heights, start = [], None
    for y, ink in enumerate([*inked, False]):
        if ink and start is None:
            start = y
        elif not ink and start is not None:
            heights.append(y - start)
            start = None
    return heights


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm")),
    reason="LibreOffice Impress (soffice) or poppler's pdftoppm is not installed",
)
def test_rendered_chart_text_is_at_least_14_pt(demo, tmp_path):
    """The 区县排名与行业构成 slide (two charts side by side, labels of 6 pt before) rendered by
    LibreOffice at 144 dpi, 2 px a point: in the left strip of each chart, titles, subtitles,
    legend and the axis' county names each make a band of ink rows; a CJK glyph's ink is about
    0.9 of its type size, so type of 14 pt leaves bands of at least 25 px (6 pt: 11 px)."""
    data = deck.pptx_bytes(demo, A.Agenda("总览", (A.View("overview"),)), demo.latest_period,
                           Convention.MONTHS)  # fmt: skip
    (tmp_path / "deck.pptx").write_bytes(data)
    subprocess.run(
        [shutil.which("soffice"), "--headless", "--norestore",
         f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(tmp_path / "deck.pptx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    subprocess.run(
        ["pdftoppm", "-r", "144", "-f", "3", "-l", "3", "-png", str(tmp_path / "deck.pdf"),
         str(tmp_path / "slide")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    page = Image.open(next(tmp_path.glob("slide*.png"))).convert("L")
    pictures = _pictures(Presentation(io.BytesIO(data)).slides[2])
    assert len(pictures) == 2

    def px(emu) -> int:
        return int(emu / 914400 * 144)

    for pic in pictures:
        left, top, width, height = px(pic.left), px(pic.top), px(pic.width), px(pic.height)
        lines = [h for h in _ink_lines(page.crop((left, top, left + width // 8, top + height)))
                 if h > 3]  # fmt: skip
        assert len(lines) >= 8, lines  # title, subtitles, the county or sector names
        assert min(lines) >= 25, lines


def test_figures_beyond_a_slide_go_on_to_a_continued_slide():
    """Twenty figures and no chart: sixteen (four rows of four) on the slide, four on the next."""
    figures = [deck.Figure(f"指标{i}", f"{i}个", "同比+1个") for i in range(1, 21)]
    content = deck.SlideContent("经济指标 · 全市:民生保障", "范围:全市", figures)
    prs = Presentation()
    prs.slide_width, prs.slide_height = deck.SLIDE_WIDTH, deck.SLIDE_HEIGHT
    rest = deck._content_slide(prs, content)
    assert rest is not None and rest.title == "经济指标 · 全市:民生保障（续）"
    assert [f.label for f in rest.figures] == ["指标17", "指标18", "指标19", "指标20"]
    assert deck._content_slide(prs, rest) is None
    first, second = (_texts(s) for s in prs.slides)
    assert first[2:] == [f"指标{i}\n{i}个\n同比+1个" for i in range(1, 17)]
    assert second[0] == "经济指标 · 全市:民生保障（续）"
    assert second[2:] == [f"指标{i}\n{i}个\n同比+1个" for i in range(17, 21)]
    assert_projectable(prs)
