"""The county's organisation: stations and bureau departments, their teams and their jurisdictions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class County(TimestampedModel):
    """A county public security bureau (县公安局) and the area it polices."""

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("Administrative division code."))
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class StationQuerySet(models.QuerySet["Station"]):
    def stations(self) -> StationQuerySet:
        """Grassroots police stations (派出所), without the bureau's own departments."""
        return self.exclude(kind=Station.Kind.DEPARTMENT)

    def departments(self) -> StationQuerySet:
        return self.filter(kind=Station.Kind.DEPARTMENT)


class StationKind(models.TextChoices):
    URBAN = "urban", _("Urban station")
    TOWN = "town", _("Town station")
    RURAL = "rural", _("Rural station")
    DEPARTMENT = "department", _("Bureau department")


class Station(TimestampedModel):
    """A place people are assigned to: a police station, or a bureau department (机关).

    Departments share the table because the allocation engine treats both as places people move
    between (sending officers down from the bureau, 警力下沉, is a move like any other).
    """

    Kind = StationKind

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="stations", verbose_name=_("county"))
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    establishment_quota = models.PositiveIntegerField(
        _("establishment quota"), default=0, help_text=_("Authorised officer posts.")
    )
    auxiliary_quota = models.PositiveIntegerField(_("auxiliary quota"), default=0)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("station or department")
        verbose_name_plural = _("stations and departments")
        ordering = ["county__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="station_name_unique_in_county"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="station_coordinates_both_and_in_range",
            ),
            models.CheckConstraint(condition=Q(kind__in=StationKind.values), name="station_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_department(self) -> bool:
        return self.kind == self.Kind.DEPARTMENT


class StationAlias(models.Model):
    """Another name a station goes by in other systems' exports (e.g. "城关所" for 城关派出所)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("station"))
    alias = models.CharField(_("alias"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("station alias")
        verbose_name_plural = _("station aliases")
        ordering = ["alias"]

    def __str__(self) -> str:
        return self.alias


class UnitKind(models.TextChoices):
    LEADERSHIP = "leadership", _("Station leadership")
    COMMUNITY = "community", _("Community policing team")
    CASE = "case", _("Case handling team")
    COMMAND = "command", _("Command room")
    DEPARTMENT = "department", _("Department office")


class Unit(TimestampedModel):
    """A team inside a station: "two teams and one room" (两队一室) plus the leadership."""

    Kind = UnitKind

    STATION_KINDS = (Kind.LEADERSHIP, Kind.COMMUNITY, Kind.CASE, Kind.COMMAND)

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="units", verbose_name=_("station"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["station__code", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["station", "kind"], name="unit_one_per_kind_per_station"),
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.station.name} · {self.name}"


class PoliceArea(TimestampedModel):
    """A police area (警务区) of a station, looked after by one or more community officers."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="police_areas", verbose_name=_("station")
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("police area")
        verbose_name_plural = _("police areas")
        ordering = ["station__code", "code"]
        constraints = [models.UniqueConstraint(fields=["station", "code"], name="police_area_code_unique_in_station")]

    def __str__(self) -> str:
        return f"{self.station.name} · {self.name}"


class CommunityQuerySet(models.QuerySet["Community"]):
    def population_by_station(self) -> models.QuerySet[Community, dict[str, object]]:
        return self.values("station_id").annotate(
            residents=models.Sum("resident_population"), households=models.Sum("households")
        )


class CommunityKind(models.TextChoices):
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")


class Community(TimestampedModel):
    """An urban community (社区) or an administrative village (行政村) in a station's jurisdiction."""

    Kind = CommunityKind

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="communities", verbose_name=_("station")
    )
    police_area = models.ForeignKey(
        PoliceArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communities",
        verbose_name=_("police area"),
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    resident_population = models.PositiveIntegerField(
        _("resident population"), help_text=_("People actually living in the area, registered or not.")
    )
    households = models.PositiveIntegerField(_("households"))
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=9, decimal_places=2, null=True, blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("community or village")
        verbose_name_plural = _("communities and villages")
        ordering = ["station__code", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CommunityKind.values), name="community_kind_valid"),
            models.CheckConstraint(
                condition=Q(area_km2__isnull=True) | Q(area_km2__gt=0), name="community_area_positive"
            ),
            models.CheckConstraint(
                condition=Q(households__lte=models.F("resident_population")),
                name="community_households_not_above_population",
            ),
        ]

    def __str__(self) -> str:
        return self.name
