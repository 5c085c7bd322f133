"""Petition endpoints: the second door to the petition page's room. Reads start from
`Petition.objects.for_user(user, "petitions.view")` with the page's FilterSet; every write is one
service call (ScopedViewSet.call_service). A petition the caller cannot see is 404 before any
payload is looked at."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action

from gridgov.core.api.viewsets import ScopedViewSet
from gridgov.core.errors import NotFound
from gridgov.petitions import selectors, services
from gridgov.petitions.api.serializers import (
    CloseSerializer,
    DecideSerializer,
    EndCaseSerializer,
    ExtendSerializer,
    FlagSerializer,
    OpinionSerializer,
    PetitionDetailSerializer,
    PetitionListSerializer,
    PetitionRegisterSerializer,
    RateSerializer,
    ReceptionCreateSerializer,
    ReceptionDayCreateSerializer,
    ReceptionDaySerializer,
    ReplySerializer,
    RequestSerializer,
    TakeCaseSerializer,
)
from gridgov.petitions.filters import PetitionFilterSet
from gridgov.petitions.models import LeaderCase, Petition, ReceptionDay


def _step(payload: Any, summary: str) -> Callable[[Any], Any]:
    return extend_schema(
        summary=summary,
        request=payload,
        responses={200: PetitionDetailSerializer},
        tags=["petitions"],
    )


@extend_schema_view(
    list=extend_schema(summary="信访事项列表(按辖区过滤,筛选同页面)", tags=["petitions"]),
    retrieve=extend_schema(summary="信访事项详情(含可执行步骤 actions)", tags=["petitions"]),
)
class PetitionViewSet(ScopedViewSet):
    """Petitions the caller may see: area roles by jurisdiction, the responsible department's
    handlers the petitions given to it. Each stage is a POST carrying the `version` seen."""

    model = Petition
    read_action = "petitions.view"
    filterset_class = PetitionFilterSet
    ordering = ["-received_at", "-pk"]

    def get_queryset(self):
        return selectors.visible_petitions(self.request.user).order_by("-received_at", "-pk")

    def get_serializer_class(self):
        return PetitionListSerializer if self.action == "list" else PetitionDetailSerializer

    def _reread(self, petition: Petition) -> Petition:
        found = self.get_queryset().filter(pk=petition.pk).first()
        if found is None:
            raise NotFound()
        return found

    @extend_schema(
        summary="登记信访事项",
        request=PetitionRegisterSerializer,
        responses={201: PetitionDetailSerializer},
        tags=["petitions"],
    )
    def create(self, request, *args, **kwargs):
        def perform(data: dict[str, Any]) -> Petition:
            data = {k: v for k, v in data.items() if v is not None}
            return self._reread(services.register_petition(actor=request.user, **data))

        return self.call_service(PetitionRegisterSerializer, perform, created=True)

    def _do(self, payload: type[serializers.Serializer], perform: Callable[..., Any]):
        petition = self.get_object()
        user = self.request.user
        return self.call_service(
            payload, lambda data: self._reread(perform(petition, user, data) or petition)
        )

    @_step(DecideSerializer, "告知是否受理")
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._do(
            DecideSerializer, lambda p, u, d: services.decide_acceptance(p, actor=u, **d)
        )

    @_step(ExtendSerializer, "延期办理(一次,最长 30 日)")
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self._do(ExtendSerializer, lambda p, u, d: services.extend_handling(p, actor=u, **d))

    @_step(ReplySerializer, "书面答复")
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._do(ReplySerializer, lambda p, u, d: services.reply_petition(p, actor=u, **d))

    @_step(RequestSerializer, "登记复查请求")
    @action(detail=True, methods=["post"], url_path="request-review")
    def request_review(self, request, pk=None):
        return self._do(RequestSerializer, lambda p, u, d: services.request_review(p, actor=u, **d))

    @_step(OpinionSerializer, "作出复查意见")
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._do(OpinionSerializer, lambda p, u, d: services.record_review(p, actor=u, **d))

    @_step(RequestSerializer, "登记复核请求")
    @action(detail=True, methods=["post"], url_path="request-re-review")
    def request_re_review(self, request, pk=None):
        return self._do(
            RequestSerializer, lambda p, u, d: services.request_re_review(p, actor=u, **d)
        )

    @_step(OpinionSerializer, "作出复核意见")
    @action(detail=True, methods=["post"], url_path="re-review")
    def re_review(self, request, pk=None):
        return self._do(
            OpinionSerializer, lambda p, u, d: services.record_re_review(p, actor=u, **d)
        )

    @_step(CloseSerializer, "办结")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._do(CloseSerializer, lambda p, u, d: services.close_petition(p, actor=u, **d))

    @_step(RateSerializer, "记录信访人评价")
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        return self._do(RateSerializer, lambda p, u, d: services.rate_petition(p, actor=u, **d))

    @_step(TakeCaseSerializer, "领导包案")
    @action(detail=True, methods=["post"], url_path="take-case")
    def take_case(self, request, pk=None):
        def perform(p: Petition, u: Any, d: dict[str, Any]) -> None:
            services.take_case(p, actor=u, leader=d.get("leader"), note=d["note"])

        return self._do(TakeCaseSerializer, perform)

    @_step(EndCaseSerializer, "结束领导包案")
    @action(detail=True, methods=["post"], url_path="end-case")
    def end_case(self, request, pk=None):
        def perform(p: Petition, u: Any, d: dict[str, Any]) -> None:
            case = (
                LeaderCase.objects.for_user(u, "petitions.view")
                .filter(pk=d["case"], petition=p)
                .first()
            )
            if case is None:
                raise NotFound("未找到该包案。")
            services.end_case(case, actor=u, version=d["version"], note=d["note"])

        return self._do(EndCaseSerializer, perform)

    @_step(FlagSerializer, "标记重点信访人员")
    @action(detail=True, methods=["post"])
    def flag(self, request, pk=None):
        def perform(p: Petition, u: Any, d: dict[str, Any]) -> None:
            services.flag_key_petitioner(p, actor=u, person=d["person"], reason=d["reason"])

        return self._do(FlagSerializer, perform)


@extend_schema_view(
    list=extend_schema(summary="领导接访日", tags=["petitions"]),
    retrieve=extend_schema(summary="领导接访日(含接访记录)", tags=["petitions"]),
)
class ReceptionDayViewSet(ScopedViewSet):
    """Leaders' reception days in the caller's jurisdiction, with the receptions recorded."""

    model = ReceptionDay
    read_action = "petitions.view"
    serializer_class = ReceptionDaySerializer
    ordering = ["-day", "-pk"]

    def get_queryset(self):
        return selectors.visible_reception_days(self.request.user).order_by("-day", "-pk")

    @extend_schema(
        summary="安排领导接访日",
        request=ReceptionDayCreateSerializer,
        responses={201: ReceptionDaySerializer},
        tags=["petitions"],
    )
    def create(self, request, *args, **kwargs):
        return self.call_service(
            ReceptionDayCreateSerializer,
            lambda d: services.schedule_reception_day(actor=request.user, **d),
            created=True,
        )

    @extend_schema(
        summary="记录接访",
        request=ReceptionCreateSerializer,
        responses={200: ReceptionDaySerializer},
        tags=["petitions"],
    )
    @action(detail=True, methods=["post"])
    def receptions(self, request, pk=None):
        day = self.get_object()

        def perform(d: dict[str, Any]) -> ReceptionDay:
            services.record_reception(day, actor=request.user, **d)
            return self.get_queryset().get(pk=day.pk)

        return self.call_service(ReceptionCreateSerializer, perform)
