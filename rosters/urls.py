from django.urls import path

from rosters import views

app_name = "rosters"

urlpatterns = [
    path("", views.roster_list, name="list"),
    path("new/", views.roster_create, name="create"),
    path("leave/", views.leave_list, name="leave"),
    path("leave/<int:pk>/decide/", views.leave_decide, name="leave_decide"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("feed/<str:station_code>/<int:person_id>.ics", views.person_feed, name="feed"),
    path("ical/<str:token>.ics", views.token_feed, name="token_feed"),
    path("feed-link/<int:person_id>/", views.feed_link, name="feed_link"),
    path("<int:pk>/", views.roster_detail, name="detail"),
    path("<int:pk>/status/", views.roster_status, name="status"),
    path("<int:pk>/cell/", views.cell_set, name="cell"),
    path("<int:pk>/demand/", views.demand_page, name="demand"),
    path("<int:pk>/demand/<int:demand_id>/", views.demand_override, name="demand_override"),
    path("<int:pk>/diff/", views.roster_diff_page, name="diff"),
    path("<int:pk>/requests/", views.requests_page, name="requests"),
    path("<int:pk>/roster.xlsx", views.roster_xlsx, name="xlsx"),
    path("<int:pk>/print/", views.roster_print, name="print"),
    path("<int:pk>/<str:action>/", views.roster_action, name="action"),
]
