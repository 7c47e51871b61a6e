"""Weekly reports: figures of the week against the week before, charts, and the event that
notify turns into an email.

Every replica looks once a minute for workspaces whose report is due (their weekday and hour,
in their zone, after a complete local Monday-to-Sunday week) and makes it; the report's
unique `_id` lets one insert win. Chart images are drawn on request from the data stored with
the report, in the reader's language, behind a capability token carried in the URL (an email
client fetches images without a bearer token); the token names the workspace and report, and
expires.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from ensemble_insights.models.api import Figure, Period
from ensemble_insights.models.catalog import CATALOG, COMMUNITY, INBOX, LISTENING
from ensemble_insights.models.reports import ChartData, ChartSeries, Report, ReportSummary
from ensemble_insights.models.settings import WorkspaceSettings, zone
from ensemble_insights.models.texts import formatted_both, localized
from ensemble_insights.services.overview import Dashboard
from ensemble_insights.services.queries import Queries, total_of
from ensemble_insights.services.reading import Buckets
from ensemble_insights.storage.reports import ReportRepository
from ensemble_insights.storage.settings import SettingsRepository
from ensemble_shared.capabilities import Capabilities, CapabilityExpired, CapabilityInvalid
from ensemble_shared.errors import Forbidden, Invalid, NotFound
from ensemble_shared.events import (
    Localized,
    ReportChart,
    ReportData,
    ReportFigure,
    ReportPublishedV1,
    Source,
    envelope,
    utcnow,
)

FIGURES = (
    "mentions",
    "negative_share",
    "spikes",
    "inbox_replied",
    "reply_time_p50",
    "sla_breaches",
    "approvals_completed",
    "approval_cycle_p50",
    "published",
    "on_time_share",
    "publish_failed",
    "members_registered",
    "active_members",
    "submissions",
    "votes",
    "rsvps_confirmed",
    "deliveries_sent",
    "notification_latency_p50",
    "failure_rate",
)
COMPARED = (
    "mentions",
    "inbox_replied",
    "approvals_completed",
    "published",
    "members_registered",
    "submissions",
    "votes",
)
CHART_PURPOSE = "insights-report-chart"
LANGUAGES = ("en", "fr")


def week_of(moment: datetime, zone_name: str) -> date:
    """The Monday of the last complete local week before `moment`."""
    today = moment.astimezone(zone(zone_name)).date()
    return today - timedelta(days=today.weekday() + 7)


def due_at(start: date, settings: WorkspaceSettings) -> datetime:
    """When the report of the week starting `start` goes out."""
    after = start + timedelta(days=7 + settings.report.weekday)
    return datetime.combine(after, time(settings.report.hour), zone(settings.time_zone))


def _milliseconds(moment: datetime) -> datetime:
    """What the store keeps of a time (BSON dates hold milliseconds)."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _daily(buckets: Buckets, metric: str, fixed: dict[str, str]) -> list[float]:
    return [
        total_of(metric, CATALOG[metric], buckets, fixed, [label])[0] or 0.0
        for label in buckets.labels
    ]


class ReportService:
    def __init__(
        self,
        *,
        dashboard: Dashboard,
        queries: Queries,
        reports: ReportRepository,
        settings: SettingsRepository,
        capabilities: Capabilities,
        public_url: str,
        link_days: int = 90,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._dashboard = dashboard
        self._queries = queries
        self._reports = reports
        self._settings = settings
        self._capabilities = capabilities
        self._public_url = public_url.rstrip("/")
        self._link_days = link_days
        self._clock = clock
        self._images: OrderedDict[tuple[str, str, str, str], bytes] = OrderedDict()

    async def due_once(self) -> int:
        """Make every report that is due and not made yet; how many this call made."""
        made = 0
        now = self._clock()
        for workspace, settings in (await self._settings.all()).items():
            if not settings.report.enabled:
                continue
            start = week_of(now, settings.time_zone)
            if now >= due_at(start, settings) and not await self._reports.exists(
                workspace, start.isoformat()
            ):
                _, created = await self.create(workspace, start)
                made += int(created)
        return made

    async def create(self, workspace: str, start: date) -> tuple[Report, bool]:
        """The report of the week starting `start` (a Monday), made and announced once."""
        if start.weekday() != 0:
            raise Invalid("start: a weekly report starts on a Monday")
        existing = await self._reports.get(workspace, start.isoformat())
        if existing is not None:
            return existing, False
        settings = await self._queries.settings_of(workspace)
        period = Period(start=start, end=start + timedelta(days=6))
        overview = await self._dashboard.overview(workspace, period)
        figures = [
            ReportFigure(
                key=name,
                label=localized(name),
                value=overview.figures[name].value,
                previous=overview.figures[name].previous,
                change=overview.figures[name].change,
                unit=overview.figures[name].unit,
                text=formatted_both(overview.figures[name].value, overview.figures[name].unit),
            )
            for name in FIGURES
        ]
        daily = await self._queries.reader.daily(
            workspace, overview.time_zone, [LISTENING, INBOX, COMMUNITY], period
        )
        report = Report(
            id=start.isoformat(),
            workspace=workspace,
            start=period.start,
            end=period.end,
            previous_start=overview.previous_period.start,
            previous_end=overview.previous_period.end,
            time_zone=overview.time_zone,
            created_at=_milliseconds(self._clock()),
            figures=figures,
            charts=self._charts(daily, overview.figures),
            people=list(settings.report.people),
            teams=list(settings.report.teams),
            roles=list(settings.report.roles),
        )
        created = await self._reports.insert(report, self._event(report))
        if not created:  # another replica made it meanwhile
            found = await self._reports.get(workspace, report.id)
            return (found or report), False
        return report, True

    @staticmethod
    def _charts(daily: dict[str, Buckets], figures: dict[str, Figure]) -> list[ChartData]:
        labels = daily[LISTENING].labels
        sentiments = [
            ChartSeries(key=s, values=_daily(daily[LISTENING], "mentions", {"sentiment": s}))
            for s in ("positive", "neutral", "negative")
        ]
        inbox = [
            ChartSeries(key=m, values=_daily(daily[INBOX], m, {}))
            for m in ("inbox_replied", "sla_breaches")
        ]
        community = [
            ChartSeries(key=name, values=_daily(daily[COMMUNITY], metric, fixed))
            for name, metric, fixed in (
                ("members_registered", "members_registered", {}),
                ("submissions", "submissions", {}),
                ("votes", "votes", {"action": "voted"}),
            )
        ]
        changes = [round((figures[name].change or 0.0) * 100, 1) for name in COMPARED]
        return [
            ChartData(key="mentions", kind="stacked", labels=labels, series=sentiments),
            ChartData(key="responsiveness", kind="grouped", labels=labels, series=inbox),
            ChartData(key="community", kind="grouped", labels=labels, series=community),
            ChartData(
                key="comparison",
                kind="comparison",
                labels=list(COMPARED),
                series=[ChartSeries(key="change_percent", values=changes)],
            ),
        ]

    def _event(self, report: Report) -> ReportPublishedV1:
        expires = self._clock() + timedelta(days=self._link_days)
        token = self._capabilities.sign(
            {"ws": report.workspace, "report": report.id}, expires=expires
        )
        base = f"{self._public_url}/insights/reports/{report.id}"

        def url(chart: str, language: str) -> str:
            return f"{base}/charts/{chart}.png?lang={language}&token={token}"

        mentions = next(f for f in report.figures if f.key == "mentions")
        return ReportPublishedV1(
            **envelope(Source.INSIGHTS, report.workspace, report.workspace),
            data=ReportData(
                report_id=report.id,
                start=report.start,
                end=report.end,
                previous_start=report.previous_start,
                previous_end=report.previous_end,
                time_zone=report.time_zone,
                title=localized("title"),
                summary=Localized(
                    en=f"Week of {report.start:%d %b %Y}: {mentions.text.en} mentions.",
                    fr=f"Semaine du {report.start:%d/%m/%Y} : {mentions.text.fr} mentions.",
                ),
                figures=tuple(report.figures),
                charts=tuple(
                    ReportChart(
                        key=chart.key,
                        title=localized(f"chart.{chart.key}"),
                        urls=Localized(en=url(chart.key, "en"), fr=url(chart.key, "fr")),
                    )
                    for chart in report.charts
                ),
                url=base,
                expires_at=expires,
                people=tuple(report.people),
                teams=tuple(report.teams),
                roles=tuple(report.roles),
            ),
        )

    async def get(self, workspace: str, report_id: str) -> Report:
        found = await self._reports.get(workspace, report_id)
        if found is None:
            raise NotFound(f"no report {report_id!r} in this workspace")
        return found

    async def list(self, workspace: str, limit: int) -> list[ReportSummary]:
        return await self._reports.list(workspace, limit)

    def workspace_of_token(self, token: str, report_id: str) -> str:
        """The workspace a chart link was signed for; Forbidden when it is not this report's."""
        try:
            claims = self._capabilities.verify(token)
        except CapabilityExpired as exc:
            raise Forbidden("this chart link has expired") from exc
        except CapabilityInvalid as exc:
            raise Forbidden("this chart link is not valid") from exc
        if claims.get("report") != report_id or not isinstance(claims.get("ws"), str):
            raise Forbidden("this chart link is for another report")
        return str(claims["ws"])

    async def chart(self, workspace: str, report_id: str, key: str, language: str) -> bytes:
        if language not in LANGUAGES:
            raise Invalid("lang: en or fr")
        cache_key = (workspace, report_id, key, language)
        if cache_key in self._images:
            self._images.move_to_end(cache_key)
            return self._images[cache_key]
        report = await self.get(workspace, report_id)
        chart = next((c for c in report.charts if c.key == key), None)
        if chart is None:
            raise NotFound(f"no chart {key!r} in this report")
        image = await asyncio.to_thread(_drawn, chart, language)
        self._images[cache_key] = image
        while len(self._images) > 64:
            self._images.popitem(last=False)
        return image


def _drawn(chart: ChartData, language: str) -> bytes:
    """The chart as PNG. matplotlib (about 45 MB resident) is loaded by the first chart
    drawn, not when the service starts: most replicas never draw one."""
    from ensemble_insights import charts

    return charts.render(chart, language)
