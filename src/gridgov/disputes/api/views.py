"""Dispute endpoints: the second door to the dispute pages' room. Reads start from `for_user`;
every write is one service call, as the pages make it. A record the caller cannot see is absent
(404) before any payload is looked at."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gridgov.areas.models import Area
from gridgov.core.api.viewsets import ScopedViewSet
from gridgov.core.errors import NotFound
from gridgov.core.scoping import get_for_user_or_404, jurisdiction
from gridgov.disputes import selectors, services, sheets
from gridgov.disputes.api import serializers as s
from gridgov.disputes.files import mediation_file_response
from gridgov.disputes.models import (
    DisputeDetail,
    DisputeParty,
    MajorListing,
    Mediation,
    MediationFile,
    ScreeningReport,
)

TAGS = ["disputes"]


def _schema(payload: Any, summary: str, response: Any) -> Callable[[Any], Any]:
    return extend_schema(summary=summary, request=payload, responses={200: response}, tags=TAGS)


class _Steps(ScopedViewSet):
    """call_service, answering with another serializer than the viewset's own where needed."""

    def _call(
        self,
        payload: type[serializers.Serializer],
        perform: Callable[[dict[str, Any]], Any],
        *,
        output: type[serializers.Serializer] | None = None,
        created: bool = False,
    ) -> Response:
        data = payload(data=self.request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        result = perform(dict(data.validated_data))
        shape = output or self.get_serializer_class()
        return Response(
            shape(result, context=self.get_serializer_context()).data,
            status=201 if created else 200,
        )


@extend_schema_view(
    list=extend_schema(summary="矛盾纠纷详情列表(按辖区)", tags=TAGS),
    retrieve=extend_schema(summary="矛盾纠纷详情(当事人、调解)", tags=TAGS),
)
class DisputeViewSet(_Steps):
    model = DisputeDetail
    read_action = "disputes.view"
    serializer_class = s.DisputeSerializer

    def get_queryset(self):
        return selectors.details(self.request.user).order_by("-pk")

    @extend_schema(
        summary="登记矛盾纠纷事件的详情(研判)",
        request=s.DisputeRecordPayload,
        responses={201: s.DisputeSerializer},
        tags=TAGS,
    )
    def create(self, request, *args, **kwargs):
        def perform(data: dict[str, Any]) -> Any:
            event = data.pop("event")
            return services.record_dispute(event, actor=request.user, **data)

        return self._call(s.DisputeRecordPayload, perform, created=True)

    @_schema(s.DisputeUpdatePayload, "修改纠纷详情", s.DisputeSerializer)
    @action(detail=True, methods=["post"])
    def update_details(self, request, pk=None):
        detail = self.get_object()
        return self._call(
            s.DisputeUpdatePayload,
            lambda d: services.update_dispute(detail, actor=request.user, **d),
        )

    @_schema(s.DisputePartyPayload, "添加当事人", s.DisputePartySerializer)
    @action(detail=True, methods=["post"])
    def parties(self, request, pk=None):
        detail = self.get_object()
        return self._call(
            s.DisputePartyPayload,
            lambda d: services.add_party(detail, actor=request.user, **d),
            output=s.DisputePartySerializer,
            created=True,
        )

    @_schema(s.DisputePartyRemovePayload, "移除当事人", s.DisputeSerializer)
    @action(detail=True, methods=["post"], url_path="remove-party", url_name="remove-party")
    def remove_party(self, request, pk=None):
        detail = self.get_object()

        def perform(data: dict[str, Any]) -> Any:
            party = (
                DisputeParty.objects.for_user(request.user, "disputes.view")
                .filter(pk=data["party"], dispute=detail)
                .first()
            )
            if party is None:
                raise NotFound("未找到该当事人。")
            services.remove_party(party, actor=request.user, version=data["version"])
            return self.get_queryset().get(pk=detail.pk)

        return self._call(s.DisputePartyRemovePayload, perform)

    @_schema(s.MediationPayload, "受理调解", s.MediationSerializer)
    @action(detail=True, methods=["post"])
    def mediations(self, request, pk=None):
        detail = self.get_object()
        return self._call(
            s.MediationPayload,
            lambda d: services.start_mediation(detail, actor=request.user, **d),
            output=s.MediationSerializer,
            created=True,
        )

    @_schema(s.MajorListingPayload, "重大纠纷挂牌督办(领导)", s.MajorListingSerializer)
    @action(detail=True, methods=["post"], url_path="list", url_name="list-major")
    def list_major(self, request, pk=None):
        detail = self.get_object()
        return self._call(
            s.MajorListingPayload,
            lambda d: services.list_major(detail, actor=request.user, **d),
            output=s.MajorListingSerializer,
            created=True,
        )


@extend_schema_view(
    list=extend_schema(summary="调解列表(按辖区)", tags=TAGS),
    retrieve=extend_schema(summary="调解(记录、协议、司法确认、回访、材料)", tags=TAGS),
)
class MediationViewSet(_Steps):
    model = Mediation
    read_action = "disputes.view"
    serializer_class = s.MediationSerializer

    def get_queryset(self):
        return (
            selectors.mediations(self.request.user)
            .prefetch_related("mediators")
            .order_by("-started_on", "-pk")
        )

    def _step(self, payload: Any, perform: Callable[..., Any], output: Any = None) -> Response:
        mediation = self.get_object()
        user = self.request.user

        def run(data: dict[str, Any]) -> Any:
            result = perform(mediation, user, data)
            return result if output else self.get_queryset().get(pk=mediation.pk)

        return self._call(payload, run, output=output)

    @_schema(s.MediationSessionPayload, "登记调解记录", s.MediationSerializer)
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        return self._step(
            s.MediationSessionPayload, lambda m, u, d: services.record_session(m, actor=u, **d)
        )

    @_schema(
        s.MediationAgreementPayload,
        "调解成功:登记协议(可附扫描件,可同时办结事件)",
        s.MediationSerializer,
    )
    @action(detail=True, methods=["post"])
    def agreement(self, request, pk=None):
        return self._step(
            s.MediationAgreementPayload,
            lambda m, u, d: services.conclude_agreement(m, actor=u, **d),
        )

    @_schema(s.MediationFailurePayload, "调解不成:去向与告知", s.MediationSerializer)
    @action(detail=True, methods=["post"])
    def failure(self, request, pk=None):
        return self._step(
            s.MediationFailurePayload, lambda m, u, d: services.record_failure(m, actor=u, **d)
        )

    @_schema(
        s.MediationConfirmationPayload, "司法确认(协议生效 30 日内申请)", s.MediationSerializer
    )
    @action(detail=True, methods=["post"])
    def confirmation(self, request, pk=None):
        return self._step(
            s.MediationConfirmationPayload,
            lambda m, u, d: services.record_confirmation(m, actor=u, **d),
        )

    @_schema(s.MediationPerformancePayload, "协议履行情况", s.MediationSerializer)
    @action(detail=True, methods=["post"])
    def performance(self, request, pk=None):
        return self._step(
            s.MediationPerformancePayload,
            lambda m, u, d: services.record_performance(m, actor=u, **d),
        )

    @extend_schema(
        summary="下载调解材料",
        parameters=[OpenApiParameter("file", int, required=True)],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        tags=TAGS,
    )
    @action(
        detail=True, methods=["get"], url_path="download", pagination_class=None, filter_backends=[]
    )
    def download(self, request, pk=None):
        mediation = self.get_object()
        item = (
            MediationFile.objects.for_user(request.user, "disputes.view")
            .filter(pk=request.query_params.get("file") or 0, mediation=mediation)
            .first()
        )
        if item is None:
            raise NotFound("未找到该材料。")
        return mediation_file_response(item)

    @_schema(s.MediationVisitPayload, "回访", s.MediationSerializer)
    @action(detail=True, methods=["post"])
    def visits(self, request, pk=None):
        return self._step(
            s.MediationVisitPayload, lambda m, u, d: services.record_visit(m, actor=u, **d)
        )

    @_schema(s.MediationFilesPayload, "上传调解材料(协议书扫描件等)", s.MediationSerializer)
    @action(detail=True, methods=["post"])
    def files(self, request, pk=None):
        return self._step(
            s.MediationFilesPayload, lambda m, u, d: services.add_mediation_files(m, actor=u, **d)
        )


def _area(request: Any) -> Area:
    raw = request.query_params.get("area", "")
    if not raw:
        raise ValidationError({"area": ["请指定区域 area。"]})
    return get_for_user_or_404(Area, request.user, "areas.view", pk=raw)


@extend_schema_view(
    list=extend_schema(summary="排查报告列表(按辖区)", tags=TAGS),
    retrieve=extend_schema(summary="排查报告", tags=TAGS),
)
class ScreeningReportViewSet(_Steps):
    model = ScreeningReport
    read_action = "disputes.view"
    serializer_class = s.ScreeningReportSerializer

    def get_queryset(self):
        return selectors.reports(self.request.user).order_by("-period_end", "area_path")

    @extend_schema(
        summary="上报排查报告(含零报告)",
        request=s.ScreeningReportPayload,
        responses={201: s.ScreeningReportSerializer},
        tags=TAGS,
    )
    def create(self, request, *args, **kwargs):
        return self._call(
            s.ScreeningReportPayload,
            lambda d: services.file_screening_report(actor=request.user, **d),
            created=True,
        )

    @_schema(s.ScreeningAmendPayload, "修改排查报告", s.ScreeningReportSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        report = self.get_object()
        return self._call(
            s.ScreeningAmendPayload,
            lambda d: services.amend_screening_report(report, actor=request.user, **d),
        )

    @_schema(s.ScreeningPolicyPayload, "设置辖区的排查上报周期", s.ScreeningPolicySerializer)
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def policy(self, request):
        return self._call(
            s.ScreeningPolicyPayload,
            lambda d: services.set_screening_period(
                d["area"], actor=request.user, period=d["period"]
            ),
            output=s.ScreeningPolicySerializer,
        )

    @extend_schema(
        summary="各村(社区)最近一期应报报告的上报情况(missing=缺报)",
        parameters=[
            OpenApiParameter("area", int, required=True),
            OpenApiParameter("current", bool, required=False),
        ],
        responses={200: s.ScreeningStatusSerializer(many=True)},
        tags=TAGS,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def status(self, request):
        if not jurisdiction(request.user).allows_anywhere("disputes.view"):
            raise NotFound()
        area = _area(request)
        current = request.query_params.get("current") in ("1", "true")
        rows = selectors.report_statuses(request.user, area, current=current)
        return Response(s.ScreeningStatusSerializer(rows, many=True).data)

    @extend_schema(
        summary="月度汇总 / 季度报告(按村统计)",
        parameters=[
            OpenApiParameter("area", int, required=True),
            OpenApiParameter("kind", str, enum=list(sheets.KINDS), required=False),
            OpenApiParameter("month", str, required=False, description="YYYY-MM,默认本月"),
        ],
        responses={200: s.ScreeningSheetSerializer},
        tags=TAGS,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def sheet(self, request):
        if not jurisdiction(request.user).allows_anywhere("disputes.view"):
            raise NotFound()
        area = _area(request)
        kind = request.query_params.get("kind", "month")
        if kind not in sheets.KINDS:
            raise ValidationError({"kind": ["报表类型应为 month 或 quarter。"]})
        raw = request.query_params.get("month", "")
        try:
            day = dt.date.fromisoformat(raw + "-01") if raw else timezone.localdate()
        except ValueError as exc:
            raise ValidationError({"month": ["月份格式应为 YYYY-MM。"]}) from exc
        result = sheets.build_sheet(request.user, area, kind, sheets.period_of(kind, day))
        return Response(s.ScreeningSheetSerializer(result).data)


@extend_schema_view(
    list=extend_schema(summary="重大纠纷挂牌督办台账", tags=TAGS),
    retrieve=extend_schema(summary="挂牌督办", tags=TAGS),
)
class MajorListingViewSet(_Steps):
    model = MajorListing
    read_action = "disputes.view"
    serializer_class = s.MajorListingSerializer

    def get_queryset(self):
        return selectors.listings(self.request.user).order_by("state", "target_on", "pk")

    @_schema(s.MajorListingCrossOffPayload, "验收销号(领导)", s.MajorListingSerializer)
    @action(detail=True, methods=["post"], url_path="cross-off", url_name="cross-off")
    def cross_off(self, request, pk=None):
        listing = self.get_object()
        return self._call(
            s.MajorListingCrossOffPayload,
            lambda d: services.cross_off(listing, actor=request.user, **d),
        )
