"""The chat parser's golden table: fixed now and zones, exact intent, fields, RRULE and first
two occurrences (with their UTC offsets, so daylight-saving handling is visible).

Now is Thursday 2026-03-05 15:00 UTC: 10:00 in New York, 16:00 in Berlin, 07:00 in Los Angeles,
and already Friday in Tokyo (00:00) and Sydney (02:00). New York starts daylight saving on
Sunday 2026-03-08, Berlin on 2026-03-29; Sydney ends it on 2026-04-05.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tasks_app import recurrence
from tasks_app.chat import parsing, phrases, repeats
from tasks_app.chat.parsing import Intent

NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
ZONES = {
    "NY": "America/New_York",
    "BER": "Europe/Berlin",
    "TYO": "Asia/Tokyo",
    "SYD": "Australia/Sydney",
    "LA": "America/Los_Angeles",
}


@dataclass(frozen=True)
class G:
    zone: str
    text: str
    kind: str
    fields: dict[str, Any] = field(default_factory=dict)
    rrule: str | None = None
    first_two: list[str] | None = None


CLEAR_ALL = (
    "I don't delete tasks wholesale. Delete them by number (\"delete 1 and 3\"), or a day's at a "
    'time ("delete today\'s tasks").'
)

GOLDEN = [
    # ---- add: dates and times
    G(
        "NY",
        "add call mom tomorrow at 5pm",
        "add",
        {"title": "Call mom", "due": "2026-03-06 17:00"},
    ),
    G(
        "NY",
        'Add "Pay rent" every month on the 1st at 09:00',
        "add",
        {"title": "Pay rent", "due": "2026-04-01 09:00"},
        "FREQ=MONTHLY;BYMONTHDAY=1",
        ["2026-04-01T09:00-04:00", "2026-05-01T09:00-04:00"],
    ),
    G(
        "NY",
        "add dentist next Friday at 10am, remind me at 8am",
        "add",
        {"title": "Dentist", "due": "2026-03-13 10:00", "reminders": ["-120m"]},
    ),
    G(
        "NY",
        "add submit report on March 20th at 9:30 pm",
        "add",
        {"title": "Submit report", "due": "2026-03-20 21:30"},
    ),
    G(
        "NY",
        "add meeting on March 3rd at 9",
        "add",
        {"title": "Meeting", "due": "2027-03-03 09:00"},
    ),
    G(
        "NY",
        "add lunch with Sam at noon",
        "add",
        {"title": "Lunch with Sam", "due": "2026-03-05 12:00"},
    ),
    G(
        "NY",
        "add file taxes by midnight",
        "add",
        {"title": "File taxes", "due": "2026-03-05 23:59"},
    ),
    G("NY", "add call the bank at 5", "add", {"title": "Call the bank", "due": "2026-03-05 17:00"}),
    G("NY", "add buy milk", "add", {"title": "Buy milk"}),
    G("NY", "add hike this weekend", "add", {"title": "Hike", "due": "2026-03-07"}),
    G("NY", "add dinner tonight", "add", {"title": "Dinner", "due": "2026-03-05 20:00"}),
    G("NY", "add call bob in 2 hours", "add", {"title": "Call bob", "due": "2026-03-05 12:00"}),
    G(
        "NY",
        "add read chapter 4 in 3 days",
        "add",
        {"title": "Read chapter 4", "due": "2026-03-08"},
    ),
    G(
        "NY",
        "add pick up dry cleaning on 3 April",
        "add",
        {"title": "Pick up dry cleaning", "due": "2026-04-03"},
    ),
    G("NY", "add renew license 2026-04-01", "add", {"title": "Renew license", "due": "2026-04-01"}),
    G("NY", "add send invoice on the 20th", "add", {"title": "Send invoice", "due": "2026-03-20"}),
    G(
        "NY",
        "add water plants this afternoon",
        "add",
        {"title": "Water plants", "due": "2026-03-05 15:00"},
    ),
    G("NY", "add plan trip next week", "add", {"title": "Plan trip", "due": "2026-03-09"}),
    G(
        "NY",
        "Add team lunch FRIDAY AT 12:30PM!!!",
        "add",
        {"title": "Team lunch", "due": "2026-03-06 12:30"},
    ),
    G("NY", "add stretch at 9:30 pm", "add", {"title": "Stretch", "due": "2026-03-05 21:30"}),
    G(
        "BER",
        "add call the landlord on Monday at 08:15",
        "add",
        {"title": "Call the landlord", "due": "2026-03-09 08:15"},
    ),
    G(
        "BER",
        "add pay invoice #work !high tomorrow",
        "add",
        {"title": "Pay invoice", "due": "2026-03-06", "tags": ["work"], "priority": "high"},
    ),
    G(
        "TYO",
        "add check in for flight today at 6pm",
        "add",
        {"title": "Check in for flight", "due": "2026-03-06 18:00"},
    ),
    G(
        "TYO",
        "add submit visa form tomorrow morning",
        "add",
        {"title": "Submit visa form", "due": "2026-03-07 09:00"},
    ),
    G(
        "SYD",
        "add Book dentist Friday evening p1",
        "add",
        {"title": "Book dentist", "due": "2026-03-06 19:00", "priority": "high"},
    ),
    G("LA", "add pack lunch at 7", "add", {"title": "Pack lunch", "due": "2026-03-06 07:00"}),
    # ---- add: reminders
    G(
        "NY",
        "remind me to call mom tomorrow at 5pm",
        "add",
        {"title": "Call mom", "due": "2026-03-06 17:00", "reminders": ["-0m"]},
    ),
    G(
        "NY",
        "add flight to Lisbon on March 12 at 7am, remind me a day before and 2 hours before",
        "add",
        {"title": "Flight to Lisbon", "due": "2026-03-12 07:00", "reminders": ["-1440m", "-120m"]},
    ),
    G(
        "NY",
        "add doctor friday at 3pm with a reminder 30 minutes before",
        "add",
        {"title": "Doctor", "due": "2026-03-06 15:00", "reminders": ["-30m"]},
    ),
    G(
        "NY",
        "add take out trash tomorrow at 7pm, remind me the night before",
        "add",
        {"title": "Take out trash", "due": "2026-03-06 19:00", "reminders": ["-1380m"]},
    ),
    # A weekday with the date it names is one date, checked.
    G(
        "NY",
        "add flight on friday mar 13 at 7am",
        "add",
        {"title": "Flight", "due": "2026-03-13 07:00"},
    ),
    G("NY", "add flight Friday, March 13th", "add", {"title": "Flight", "due": "2026-03-13"}),
    G(
        "NY",
        "add flight thursday mar 13",
        "clarify",
        {"question": "Mar 13 is a Friday, not a Thursday. Which day do you mean?"},
    ),
    G("NY", "show 2", "show", {"ref": (2,)}),
    G("NY", "details of 1 and 3", "show", {"ref": (1, 3)}),
    G(
        "NY",
        "add pay bill on March 10 remind me at 9am",
        "add",
        {"title": "Pay bill", "due": "2026-03-10", "reminders": ["@2026-03-10 09:00"]},
    ),
    G(
        "NY",
        "remind me tomorrow at 9 to think about taxes",
        "add",
        {"title": "Think about taxes", "due": "2026-03-06 09:00", "reminders": ["-0m"]},
    ),
    G(
        "BER",
        "add dentist tomorrow at 10 no reminder",
        "add",
        {"title": "Dentist", "due": "2026-03-06 10:00", "reminders": []},
    ),
    # ---- recurrence classes
    G(
        "NY",
        "add stretch every day at 7am",
        "add",
        {"title": "Stretch", "due": "2026-03-06 07:00"},
        "FREQ=DAILY",
        ["2026-03-06T07:00-05:00", "2026-03-07T07:00-05:00"],
    ),
    G(
        "BER",
        "add standup every weekday at 9:30",
        "add",
        {"title": "Standup", "due": "2026-03-06 09:30"},
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        ["2026-03-06T09:30+01:00", "2026-03-09T09:30+01:00"],
    ),
    G(
        "SYD",
        "add long run every weekend at 8am",
        "add",
        {"title": "Long run", "due": "2026-03-07 08:00"},
        "FREQ=WEEKLY;BYDAY=SA,SU",
        ["2026-03-07T08:00+11:00", "2026-03-08T08:00+11:00"],
    ),
    G(
        "LA",
        "add water the cactus every 10 days",
        "add",
        {"title": "Water the cactus", "due": "2026-03-05"},
        "FREQ=DAILY;INTERVAL=10",
        ["2026-03-05T23:59-08:00", "2026-03-15T23:59-07:00"],
    ),
    G(
        "NY",
        "add team retro every 3 weeks on friday at 3pm",
        "add",
        {"title": "Team retro", "due": "2026-03-06 15:00"},
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=FR",
        ["2026-03-06T15:00-05:00", "2026-03-27T15:00-04:00"],
    ),
    G(
        "NY",
        "add replace water filter every 3 months",
        "add",
        {"title": "Replace water filter", "due": "2026-03-05"},
        "FREQ=MONTHLY;INTERVAL=3",
        ["2026-03-05T23:59-05:00", "2026-06-05T23:59-04:00"],
    ),
    G(
        "NY",
        "add check smoke alarms every 2 years",
        "add",
        {"title": "Check smoke alarms", "due": "2026-03-05"},
        "FREQ=YEARLY;INTERVAL=2",
        ["2026-03-05T23:59-05:00", "2028-03-05T23:59-05:00"],
    ),
    G(
        "NY",
        "add yoga every other day at 7am",
        "add",
        {"title": "Yoga", "due": "2026-03-06 07:00"},
        "FREQ=DAILY;INTERVAL=2",
        ["2026-03-06T07:00-05:00", "2026-03-08T07:00-04:00"],
    ),
    G(
        "NY",
        "add 1:1 with Ana every other tuesday at 11",
        "add",
        {"title": "1:1 with Ana", "due": "2026-03-10 11:00"},
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        ["2026-03-10T11:00-04:00", "2026-03-24T11:00-04:00"],
    ),
    G(
        "NY",
        "add gym every Mon and Wed at 7pm",
        "add",
        {"title": "Gym", "due": "2026-03-09 19:00"},
        "FREQ=WEEKLY;BYDAY=MO,WE",
        ["2026-03-09T19:00-04:00", "2026-03-11T19:00-04:00"],
    ),
    G(
        "BER",
        "add piano lessons on tuesdays and thursdays at 4:30pm",
        "add",
        {"title": "Piano lessons", "due": "2026-03-05 16:30"},
        "FREQ=WEEKLY;BYDAY=TU,TH",
        ["2026-03-05T16:30+01:00", "2026-03-10T16:30+01:00"],
    ),
    # an hourly repeat within hours of the day: those times every day
    G(
        "NY",
        "add stretch every 2 hours from 9am to 5pm",
        "add",
        {"title": "Stretch", "due": "2026-03-05 11:00"},
        "FREQ=DAILY;BYHOUR=9,11,13,15,17;BYMINUTE=0",
        ["2026-03-05T11:00-05:00", "2026-03-05T13:00-05:00"],
    ),
    G(
        "NY",
        "add check email every hour between 9 and 5",
        "add",
        {"title": "Check email", "due": "2026-03-05 10:00"},
        "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16,17;BYMINUTE=0",
    ),
    G(
        "NY",
        "add stretch every hour from 5pm to 9am",
        "clarify",
        {"question": '"from 5pm to 9am" ends before it starts. Say e.g. "from 9am to 5pm".'},
    ),
    # quarters; an adverb that names the task ("weekly review") beside another repeat
    G(
        "NY",
        "add taxes every quarter",
        "add",
        {"title": "Taxes", "due": "2026-03-05"},
        rrule="FREQ=MONTHLY;INTERVAL=3",
    ),
    G(
        "NY",
        "add board meeting quarterly",
        "add",
        {"title": "Board meeting", "due": "2026-03-05"},
        rrule="FREQ=MONTHLY;INTERVAL=3",
    ),
    G(
        "NY",
        "add weekly review on fridays at 4pm",
        "add",
        {"title": "Weekly review", "due": "2026-03-06 16:00"},
        "FREQ=WEEKLY;BYDAY=FR",
    ),
    G(
        "NY",
        "add daily standup at 9:15 on weekdays",
        "add",
        {"title": "Daily standup", "due": "2026-03-06 09:15"},
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    G(
        "NY",
        "add daily standup at 9:15",
        "add",
        {"title": "Standup", "due": "2026-03-06 09:15"},
        rrule="FREQ=DAILY",
    ),
    G(
        "NY",
        "add take pills twice a day at 9am and 9pm",
        "add",
        {"title": "Take pills", "due": "2026-03-05 21:00"},
        "FREQ=DAILY;BYHOUR=9,21;BYMINUTE=0",
        ["2026-03-05T21:00-05:00", "2026-03-06T09:00-05:00"],
    ),
    G(
        "TYO",
        "add check mail every day at 8am and 8pm",
        "add",
        {"title": "Check mail", "due": "2026-03-06 08:00"},
        "FREQ=DAILY;BYHOUR=8,20;BYMINUTE=0",
        ["2026-03-06T08:00+09:00", "2026-03-06T20:00+09:00"],
    ),
    G(
        "NY",
        "add book club on the first Thursday of every month at 7pm",
        "add",
        {"title": "Book club", "due": "2026-03-05 19:00"},
        "FREQ=MONTHLY;BYDAY=1TH",
        ["2026-03-05T19:00-05:00", "2026-04-02T19:00-04:00"],
    ),
    G(
        "NY",
        "add review the last Friday of every month at 4pm",
        "add",
        {"title": "Review", "due": "2026-03-27 16:00"},
        "FREQ=MONTHLY;BYDAY=-1FR",
        ["2026-03-27T16:00-04:00", "2026-04-24T16:00-04:00"],
    ),
    G(
        "NY",
        "add board game night on the second to last saturday of every month at 6pm",
        "add",
        {"title": "Board game night", "due": "2026-03-21 18:00"},
        "FREQ=MONTHLY;BYDAY=-2SA",
        ["2026-03-21T18:00-04:00", "2026-04-18T18:00-04:00"],
    ),
    G(
        "NY",
        "add pay rent every month on the 1st at 9am, remind me a day before",
        "add",
        {"title": "Pay rent", "due": "2026-04-01 09:00", "reminders": ["-1440m"]},
        "FREQ=MONTHLY;BYMONTHDAY=1",
        ["2026-04-01T09:00-04:00", "2026-05-01T09:00-04:00"],
    ),
    G(
        "BER",
        "add invoice clients on the 15th of every month",
        "add",
        {"title": "Invoice clients", "due": "2026-03-15"},
        "FREQ=MONTHLY;BYMONTHDAY=15",
        ["2026-03-15T23:59+01:00", "2026-04-15T23:59+02:00"],
    ),
    G(
        "NY",
        "add pay cards on the 1st and 15th of every month at 8am",
        "add",
        {"title": "Pay cards", "due": "2026-03-15 08:00"},
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        ["2026-03-15T08:00-04:00", "2026-04-01T08:00-04:00"],
    ),
    G(
        "NY",
        "add close the books on the last day of every month",
        "add",
        {"title": "Close the books", "due": "2026-03-31"},
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        ["2026-03-31T23:59-04:00", "2026-04-30T23:59-04:00"],
    ),
    G(
        "NY",
        "add payroll on the last workday of the month at 3pm",
        "add",
        {"title": "Payroll", "due": "2026-03-31 15:00"},
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        ["2026-03-31T15:00-04:00", "2026-04-30T15:00-04:00"],
    ),
    G(
        "LA",
        "add send timesheet on the first business day of every month at 9am",
        "add",
        {"title": "Send timesheet", "due": "2026-04-01 09:00"},
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
        ["2026-04-01T09:00-07:00", "2026-05-01T09:00-07:00"],
    ),
    G(
        "NY",
        "add yoga every tuesday at 6:30pm until end of april",
        "add",
        {"title": "Yoga", "due": "2026-03-10 18:30"},
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260430",
    ),
    G(
        "NY",
        "pick up kids at 3 every school day",
        "add",
        {"title": "Pick up kids", "due": "2026-03-05 15:00"},
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    G(
        "NY",
        "add standup every weekday at 9:30 until March 31",
        "add",
        {"title": "Standup", "due": "2026-03-06 09:30"},
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20260331",
        ["2026-03-06T09:30-05:00", "2026-03-09T09:30-04:00"],
    ),
    G(
        "NY",
        "add physio every Tuesday at 8am for 6 times",
        "add",
        {"title": "Physio", "due": "2026-03-10 08:00"},
        "FREQ=WEEKLY;BYDAY=TU;COUNT=6",
        ["2026-03-10T08:00-04:00", "2026-03-17T08:00-04:00"],
    ),
    G(
        "NY",
        "add meditate every day for 2 weeks",
        "add",
        {"title": "Meditate", "due": "2026-03-05"},
        "FREQ=DAILY;UNTIL=20260318",
        ["2026-03-05T23:59-05:00", "2026-03-06T23:59-05:00"],
    ),
    G(
        "NY",
        "add lunch walk every weekday at 12:30 starting next monday",
        "add",
        {"title": "Lunch walk", "due": "2026-03-09 12:30"},
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        ["2026-03-09T12:30-04:00", "2026-03-10T12:30-04:00"],
    ),
    G(
        "NY",
        "add pay credit card on the 15th of every month starting April",
        "add",
        {"title": "Pay credit card", "due": "2026-04-15"},
        "FREQ=MONTHLY;BYMONTHDAY=15",
        ["2026-04-15T23:59-04:00", "2026-05-15T23:59-04:00"],
    ),
    G(
        "NY",
        "add water plants every! 3 days",
        "add",
        {"title": "Water plants", "due": "2026-03-05", "anchor": "completion"},
        "FREQ=DAILY;INTERVAL=3",
        ["2026-03-05T23:59-05:00", "2026-03-08T23:59-04:00"],
    ),
    G(
        "NY",
        "add change sheets 2 weeks after I finish",
        "add",
        {"title": "Change sheets", "due": "2026-03-05", "anchor": "completion"},
        "FREQ=WEEKLY;INTERVAL=2",
        ["2026-03-05T23:59-05:00", "2026-03-19T23:59-04:00"],
    ),
    G(
        "BER",
        "add get a haircut every! 5 weeks",
        "add",
        {"title": "Get a haircut", "due": "2026-03-05", "anchor": "completion"},
        "FREQ=WEEKLY;INTERVAL=5",
        ["2026-03-05T23:59+01:00", "2026-04-09T23:59+02:00"],
    ),
    G(
        "NY",
        "add mom's birthday every year on March 3rd",
        "add",
        {"title": "Mom's birthday", "due": "2027-03-03"},
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3",
        ["2027-03-03T23:59-05:00", "2028-03-03T23:59-05:00"],
    ),
    G(
        "NY",
        "add pay property tax every 15 April",
        "add",
        {"title": "Pay property tax", "due": "2026-04-15"},
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=15",
        ["2026-04-15T23:59-04:00", "2027-04-15T23:59-04:00"],
    ),
    G(
        "NY",
        "add drink water every 2 hours",
        "add",
        {"title": "Drink water", "due": "2026-03-05 11:00"},
        "FREQ=HOURLY;INTERVAL=2",
        ["2026-03-05T11:00-05:00", "2026-03-05T13:00-05:00"],
    ),
    G(
        "NY",
        "add journal every evening",
        "add",
        {"title": "Journal", "due": "2026-03-05 19:00"},
        "FREQ=DAILY",
        ["2026-03-05T19:00-05:00", "2026-03-06T19:00-05:00"],
    ),
    G(
        "NY",
        "add weigh in every Monday morning",
        "add",
        {"title": "Weigh in", "due": "2026-03-09 09:00"},
        "FREQ=WEEKLY;BYDAY=MO",
        ["2026-03-09T09:00-04:00", "2026-03-16T09:00-04:00"],
    ),
    G(
        "NY",
        "add backup photos weekly",
        "add",
        {"title": "Backup photos", "due": "2026-03-05"},
        "FREQ=WEEKLY",
        ["2026-03-05T23:59-05:00", "2026-03-12T23:59-04:00"],
    ),
    G(
        "NY",
        "add check the garden daily at 6pm",
        "add",
        {"title": "Check the garden", "due": "2026-03-05 18:00"},
        "FREQ=DAILY",
        ["2026-03-05T18:00-05:00", "2026-03-06T18:00-05:00"],
    ),
    G(
        "NY",
        "add every saturday at 9am clean the house",
        "add",
        {"title": "Clean the house", "due": "2026-03-07 09:00"},
        "FREQ=WEEKLY;BYDAY=SA",
        ["2026-03-07T09:00-05:00", "2026-03-14T09:00-04:00"],
    ),
    G(
        "SYD",
        "add call grandma every sunday at 7pm",
        "add",
        {"title": "Call grandma", "due": "2026-03-08 19:00"},
        "FREQ=WEEKLY;BYDAY=SU",
        ["2026-03-08T19:00+11:00", "2026-03-15T19:00+11:00"],
    ),
    # ---- titles and words that look like dates
    G(
        "NY",
        'add read "The Second Sleep" on sunday',
        "add",
        {"title": 'Read "The Second Sleep"', "due": "2026-03-08"},
    ),
    G("NY", "add submit form before friday", "add", {"title": "Submit form", "due": "2026-03-06"}),
    G(
        "NY",
        "add pay rent on the first of every month",
        "add",
        {"title": "Pay rent", "due": "2026-04-01"},
        "FREQ=MONTHLY;BYMONTHDAY=1",
        ["2026-04-01T23:59-04:00", "2026-05-01T23:59-04:00"],
    ),
    G(
        "NY",
        "add quarterly review every 3 months on the first monday at 10am",
        "add",
        {"title": "Quarterly review", "due": "2026-04-06 10:00"},
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO",
        ["2026-04-06T10:00-04:00", "2026-07-06T10:00-04:00"],
    ),
    # ---- list
    G("NY", "list", "list", {"list": {"view": "open"}}),
    G("NY", "what's due today?", "list", {"list": {"view": "today"}}),
    G("NY", "show me tomorrow", "list", {"list": {"view": "tomorrow"}}),
    G("NY", "what do I have this week", "list", {"list": {"view": "week"}}),
    G("NY", "what's overdue", "list", {"list": {"view": "overdue"}}),
    G("NY", "show completed", "list", {"list": {"view": "completed"}}),
    G("NY", "show tasks tagged #work", "list", {"list": {"tag": "work"}}),
    # A word before "tasks" says which: a tag if the user has it (the interpreter), else a search
    G("NY", "what are my work tasks", "list", {"list": {"search": "work"}}),
    G(
        "NY",
        "what are my recurring work tasks",
        "list",
        {"list": {"search": "work", "repeating": True}},
    ),
    G("NY", "what are you doing", "unknown", {}),
    G("NY", "find dentist", "list", {"list": {"search": "dentist"}}),
    G("NY", "what's on friday", "list", {"list": {"view": "tomorrow"}}),
    G("NY", "show upcoming", "list", {"list": {"view": "upcoming"}}),
    # ---- complete / reopen / delete
    G("NY", "complete 1", "complete", {"ref": (1,)}),
    G("NY", "done 2 and 3", "complete", {"ref": (2, 3)}),
    G("NY", "mark the 2nd one as done", "complete", {"ref": (2,)}),
    G("NY", "groceries done", "complete", {"ref": "groceries"}),
    G("NY", "I finished the report", "complete", {"ref": "report"}),
    G("NY", "reopen 2", "reopen", {"ref": (2,)}),
    G("NY", "mark 1 as not done", "reopen", {"ref": (1,)}),
    G("NY", "delete 3", "delete", {"ref": (3,)}),
    G(
        "NY",
        "remove the dentist appointment",
        "delete",
        {"ref": "dentist appointment", "offer": "add remove the dentist appointment"},
    ),
    # A date said with the title tells which task; no title left, a task to add; a task the
    # verb starts is offered when none matches ("cancel netflix")
    G(
        "NY",
        "cancel the dentist tomorrow",
        "delete",
        {"ref": "dentist tomorrow", "or": ["dentist"], "offer": "add cancel the dentist tomorrow"},
    ),
    G(
        "NY",
        "trash every tue and fri at 7am",
        "add",
        {"title": "Trash", "due": "2026-03-06 07:00"},
        "FREQ=WEEKLY;BYDAY=TU,FR",
    ),
    G("NY", "cancel netflix", "delete", {"ref": "netflix", "offer": "add cancel netflix"}),
    G(
        "NY",
        "drop off the kids tomorrow at 8",
        "add",
        {"title": "Drop off the kids", "due": "2026-03-06 08:00"},
    ),
    G("NY", "I don't need to call dad anymore", "delete", {"ref": "call dad"}),
    # "reminder" before what to do is "remind me to"; as part of a title it stays there
    G(
        "NY",
        "reminder: call mom at 5pm",
        "add",
        {"title": "Call mom", "due": "2026-03-05 17:00", "reminders": ["-0m"]},
    ),
    G(
        "NY",
        "reminder call mom at 5pm",
        "add",
        {"title": "Call mom", "due": "2026-03-05 17:00", "reminders": ["-0m"]},
    ),
    G(
        "NY",
        "send reminder emails friday",
        "add",
        {"title": "Send reminder emails", "due": "2026-03-06"},
    ),
    G("NY", "reminder letters tomorrow", "add", {"title": "Reminder letters", "due": "2026-03-06"}),
    G(
        "NY",
        "remind the team about the offsite friday",
        "add",
        {"title": "Remind the team about the offsite", "due": "2026-03-06"},
    ),
    # ---- rename / update / reschedule
    G("NY", "rename 2 to Buy oat milk", "rename", {"title": "Buy oat milk", "ref": (2,)}),
    G(
        "NY",
        "change the title to email Bob about the Q4 report",
        "rename",
        {"title": "Email Bob about the Q4 report", "ref": "it"},
    ),
    G("NY", "rename it Email Bob and Ann", "rename", {"title": "Email Bob and Ann", "ref": "it"}),
    G(
        "NY",
        "change the name of the report to Q4 report",
        "rename",
        {"title": "Q4 report", "ref": "report"},
    ),
    G("NY", "make 3 high priority", "update", {"ref": (3,), "priority": "high"}),
    G("NY", "tag 2 with work and home", "update", {"ref": (2,), "tags": ["work", "home"]}),
    G("NY", "remove the tag home from 2", "update", {"ref": (2,), "remove_tags": ["home"]}),
    G(
        "NY",
        "make 1 repeat every weekday at 8am",
        "update",
        {"due": "2026-03-06 08:00", "ref": (1,)},
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        ["2026-03-06T08:00-05:00", "2026-03-09T08:00-04:00"],
    ),
    G("NY", "change 2 to every monday", "update", {"ref": (2,)}, "FREQ=WEEKLY;BYDAY=MO", None),
    G("NY", "move 1 to friday", "reschedule", {"due": "2026-03-06", "ref": (1,), "keep": "time"}),
    G(
        "NY",
        "move 1 to 5pm",
        "reschedule",
        {"due": "2026-03-05 17:00", "ref": (1,), "keep": "date"},
    ),
    G(
        "NY",
        "move call to mom to friday at 5pm",
        "reschedule",
        {"due": "2026-03-06 17:00", "ref": "call to mom"},
    ),
    G("NY", "postpone 2 by 2 days", "reschedule", {"ref": (2,), "shift": "relativedelta(days=+2)"}),
    G(
        "NY",
        "reschedule it to next monday 9am",
        "reschedule",
        {"due": "2026-03-09 09:00", "ref": "it"},
    ),
    G("NY", "remove the due date from 4", "reschedule", {"ref": (4,), "clear_due": True}),
    # ---- reminders on existing tasks, snooze, series
    G("NY", "remind me about 2 30 minutes before", "remind", {"ref": (2,), "reminders": ["-30m"]}),
    G("NY", "remind me about it at 8am", "remind", {"ref": "it", "reminders": ["@08:00"]}),
    G(
        "NY",
        "remind me at 8am tomorrow about 3",
        "remind",
        {"ref": (3,), "reminders": ["@2026-03-06 08:00"]},
    ),
    G("NY", "remove the reminders from 2", "unremind", {"ref": (2,)}),
    G("NY", "snooze 1 for 15 minutes", "snooze", {"ref": (1,), "minutes": 15}),
    G("NY", "snooze", "snooze", {}),
    G("NY", "snooze until 5pm", "snooze", {"minutes": 420}),
    G("NY", "stop repeating 2", "stop_series", {"ref": (2,)}),
    G("NY", "stop the series for pay rent", "stop_series", {"ref": "pay rent"}),
    # ---- conversation
    G("NY", "help", "help", {}),
    G("NY", "thanks!", "thanks", {}),
    G("NY", "yes", "yes", {}),
    G("NY", "2", "choose", {"ref": (2,)}),
    # Something to do with a date is added, the day first too; one that might not be is offered.
    G("NY", "call mom tomorrow at 5pm", "add", {"title": "Call mom", "due": "2026-03-06 17:00"}),
    G("NY", "tomorrow call mom at 5pm", "add", {"title": "Call mom", "due": "2026-03-06 17:00"}),
    G("NY", "tomorrow at 10 dentist", "add", {"title": "Dentist", "due": "2026-03-06 10:00"}),
    G(
        "NY",
        "tomorrow I have a meeting at 3",
        "unknown",
        {"title": "I have a meeting", "due": "2026-03-06 15:00"},
    ),
    G("NY", "today is a good day", "unknown", {"title": "Is a good day", "due": "2026-03-05"}),
    # News of something done, in the past tense, completes the task it names in the present.
    G(
        "NY",
        "I called mom",
        "complete",
        {"ref": "call mom", "or": ["calle mom"], "otherwise": "clarify"},
    ),
    G("NY", "paid the rent!", "complete", {"ref": "pay the rent", "otherwise": "clarify"}),
    G(
        "NY",
        "just changed the oil",
        "complete",
        {"ref": "chang the oil", "or": ["change the oil"], "otherwise": "clarify"},
    ),
    G(
        "NY",
        "I've submitted the expense report",
        "complete",
        {
            "ref": "submit the expense report",
            "or": ["submitt the expense report"],
            "otherwise": "clarify",
        },
    ),
    G(
        "NY",
        "replied to Anna already",
        "complete",
        {"ref": "reply to Anna", "or": ["repli to Anna"], "otherwise": "clarify"},
    ),
    G("NY", "went to the gym today", "complete", {"ref": "go to the gym", "otherwise": "clarify"}),
    # ... unless no task matches and it has a date of its own: a title may start so
    G(
        "NY",
        "Advanced yoga class tomorrow at 7pm",
        "complete",
        {
            "ref": "advanc yoga class tomorrow at 7pm",
            "or": ["advance yoga class tomorrow at 7pm"],
            "otherwise": "unknown",
        },
    ),
    G("NY", "shred old papers tomorrow", "add", {"title": "Shred old papers", "due": "2026-03-06"}),
    G("NY", "feed the cat at 6pm", "add", {"title": "Feed the cat", "due": "2026-03-05 18:00"}),
    G("NY", "did I pay rent?", "unknown", {}),
    G(
        "NY",
        "finish the report by friday",
        "add",
        {"title": "Finish the report", "due": "2026-03-06"},
    ),
    G(
        "NY",
        "check the oven in 20 minutes",
        "add",
        {"title": "Check the oven", "due": "2026-03-05 10:20"},
    ),
    G(
        "NY",
        "close the windows at 10pm",
        "add",
        {"title": "Close the windows", "due": "2026-03-05 22:00"},
    ),
    G("NY", "finish the report", "complete", {"ref": "report", "offer": "add finish the report"}),
    G("NY", "finish 2", "complete", {"ref": (2,)}),
    G(
        "NY",
        "call the bank between 9 and 5 tomorrow",
        "add",
        {"title": "Call the bank", "due": "2026-03-06 09:00"},
    ),
    G(
        "NY",
        "add call the bank tomorrow between 11 and 1pm",
        "add",
        {"title": "Call the bank", "due": "2026-03-06 11:00"},
    ),
    G("NY", "blah blah", "unknown", {}),
    # A short message that starts with something to do is added, undated too; one that names
    # a thing is offered; one that talks or asks is not.
    G("NY", "buy milk", "add", {"title": "Buy milk"}),
    G("NY", "urgent: call the plumber", "add", {"title": "Call the plumber", "priority": "high"}),
    G("NY", "dentist appointment", "unknown", {"title": "Dentist appointment"}),
    G("NY", "call me later", "unknown", {"title": "Call me later"}),
    G("NY", "change of plans", "unknown", {"title": "Change of plans"}),
    G("NY", "get lost", "unknown", {"title": "Get lost"}),
    G(
        "NY",
        "dinner with Sam at 7 tonight #personal !high",
        "add",
        {
            "title": "Dinner with Sam",
            "due": "2026-03-05 19:00",
            "tags": ["personal"],
            "priority": "high",
        },
    ),
    G("NY", "what is this", "unknown", {}),
    G("NY", "the weather is nice?", "unknown", {}),
    G("NY", "hi there", "unknown", {}),
    G(
        "NY",
        "pay the electricity bill on the 15th, remind me 2 days before",
        "clarify",
        {
            "question": 'At what time on Sun, Mar 15 is "Pay the electricity bill" due? A '
            'reminder before it needs a time, or say e.g. "2 days before at 9am".'
        },
    ),
    # ---- a time read in the part of the day named with it
    G(
        "NY",
        "add dinner with Sam at 7 tonight",
        "add",
        {"title": "Dinner with Sam", "due": "2026-03-05 19:00"},
    ),
    G("NY", "add run tomorrow morning at 6", "add", {"title": "Run", "due": "2026-03-06 06:00"}),
    G(
        "NY",
        "add call tomorrow evening at 7am",
        "add",
        {"title": "Call", "due": "2026-03-06 07:00"},
    ),
    # ---- tags in words
    G(
        "NY",
        "add dinner with Sam tomorrow at 7pm, high priority, tag personal",
        "add",
        {
            "title": "Dinner with Sam",
            "due": "2026-03-06 19:00",
            "tags": ["personal"],
            "priority": "high",
        },
    ),
    G(
        "NY",
        "add report tagged work tomorrow",
        "add",
        {"title": "Report", "due": "2026-03-06", "tags": ["work"]},
    ),
    G(
        "NY",
        "add new year every jan 1",
        "add",
        {"title": "New year", "due": "2027-01-01"},
        rrule="FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1",
    ),
    G("NY", "add a new task: buy milk", "add", {"title": "Buy milk"}),
    # the week's end, moments of a day (NOW is a Thursday)
    G("NY", "add finish report this week", "add", {"title": "Finish report", "due": "2026-03-06"}),
    G("NY", "add slides by the end of the week", "add", {"title": "Slides", "due": "2026-03-06"}),
    G("NY", "add ship it end of next week", "add", {"title": "Ship it", "due": "2026-03-13"}),
    G(
        "NY",
        "add book dentist early next week",
        "add",
        {"title": "Book dentist", "due": "2026-03-09"},
    ),
    G("NY", "add call mom after work", "add", {"title": "Call mom", "due": "2026-03-05 18:00"}),
    G("NY", "add stretch at lunch", "add", {"title": "Stretch", "due": "2026-03-05 12:00"}),
    G("NY", "add buy lunch tomorrow", "add", {"title": "Buy lunch", "due": "2026-03-06"}),
    G(
        "NY",
        "add pick up kids after school every weekday",
        "add",
        {"title": "Pick up kids", "due": "2026-03-05 15:30"},
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    G(
        "NY",
        "add book flights for christmas asap",
        "add",
        {"title": "Book flights for christmas", "priority": "high"},
    ),
    G("NY", "add urgent: renew passport", "add", {"title": "Renew passport", "priority": "high"}),
    G(
        "NY",
        "add urgent care appointment tomorrow at 3pm",
        "add",
        {"title": "Urgent care appointment", "due": "2026-03-06 15:00"},
    ),
    G("NY", "add note pick up dry cleaning", "add", {"title": "Pick up dry cleaning"}),
    G("NY", "add new shoes to the list", "add", {"title": "New shoes"}),
    G(
        "NY",
        "add pack the name tag and the bag tomorrow",
        "add",
        {"title": "Pack the name tag and the bag", "due": "2026-03-06"},
    ),
    # ---- weekdays listed with spaces (full names only: "sun cream" stays in the title)
    G(
        "NY",
        "add gym every monday wednesday friday at 7am",
        "add",
        {"title": "Gym", "due": "2026-03-06 07:00"},
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
    ),
    G(
        "NY",
        "add x every monday sun cream",
        "add",
        {"title": "X sun cream", "due": "2026-03-09"},
        rrule="FREQ=WEEKLY;BYDAY=MO",
    ),
    # Short names: as a list, and alone as a date ("sat" and "sun" only before a time)
    G(
        "NY",
        "go running every mon wed fri 6am",
        "add",
        {"title": "Go running", "due": "2026-03-06 06:00"},
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
    ),
    G(
        "NY",
        "run mon wed fri 6am",
        "add",
        {"title": "Run", "due": "2026-03-06 06:00"},
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
    ),
    G(
        "NY",
        "gym mon/wed/fri 7pm",
        "add",
        {"title": "Gym", "due": "2026-03-06 19:00"},
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
    ),
    G(
        "NY",
        "swim mondays wednesdays, and fridays",
        "add",
        {"title": "Swim", "due": "2026-03-06"},
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
    ),
    G("NY", "dentist wed 3pm", "add", {"title": "Dentist", "due": "2026-03-11 15:00"}),
    # A span of days repeats on each (with "every", a dash or plurals); "Monday to Friday"
    # alone may be one task's span: asked about
    G(
        "NY",
        "standup mon-fri at 9",
        "add",
        {"title": "Standup", "due": "2026-03-06 09:00"},
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    G(
        "NY",
        "standup every monday through friday at 9",
        "add",
        {"title": "Standup", "due": "2026-03-06 09:00"},
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    G(
        "NY",
        "gym mondays to thursdays 6am",
        "add",
        {"title": "Gym", "due": "2026-03-09 06:00"},
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH",
    ),
    G(
        "NY",
        "work out every fri to mon",
        "add",
        {"title": "Work out", "due": "2026-03-06"},
        rrule="FREQ=WEEKLY;BYDAY=MO,FR,SA,SU",
    ),
    G(
        "NY",
        "standup monday to friday at 9",
        "clarify",
        {"question": 'I see two dates ("monday" and "friday"). Which one should it be due?'},
    ),
    G("NY", "gym fri", "add", {"title": "Gym", "due": "2026-03-06"}),
    G("NY", "brunch sun 11am", "add", {"title": "Brunch", "due": "2026-03-08 11:00"}),
    G("NY", "buy sun cream", "add", {"title": "Buy sun cream"}),
    G("NY", "fix the sat nav tomorrow", "add", {"title": "Fix the sat nav", "due": "2026-03-06"}),
    # ---- what follows an answer, about the task in focus
    G("NY", "also 10 minutes before", "remind", {"ref": "it", "reminders": ["-10m"]}),
    G(
        "NY",
        "actually make that 6pm",
        "reschedule",
        {"due": "2026-03-05 18:00", "ref": "it", "keep": "date"},
    ),
    G("NY", "tomorrow instead", "reschedule", {"due": "2026-03-06", "ref": "it", "keep": "time"}),
    # Misspelt date words are read as meant (they had been left in the title, the due guessed)
    G("NY", "dentist thrusday 3pm", "add", {"title": "Dentist", "due": "2026-03-05 15:00"}),
    G("NY", "call mom wendesday at 5", "add", {"title": "Call mom", "due": "2026-03-11 17:00"}),
    G("NY", "gym tonite at 7", "add", {"title": "Gym", "due": "2026-03-05 19:00"}),
    G("NY", "pay rent 2moro", "add", {"title": "Pay rent", "due": "2026-03-06"}),
    G("NY", "meeting nxt monday 10am", "add", {"title": "Meeting", "due": "2026-03-09 10:00"}),
    # A title that starts with an add verb's letters keeps them ("newsletter" had become "Sletter")
    G(
        "NY",
        "newsletter every other monday",
        "add",
        {"title": "Newsletter", "due": "2026-03-09"},
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
    ),
    G(
        "NY",
        "address the envelopes tomorrow",
        "add",
        {"title": "Address the envelopes", "due": "2026-03-06"},
    ),
    G(
        "NY",
        "notebook for school tomorrow",
        "add",
        {"title": "Notebook for school", "due": "2026-03-06"},
    ),
    G(
        "NY",
        "putty for the window on saturday",
        "add",
        {"title": "Putty for the window", "due": "2026-03-07"},
    ),
    G("NY", "new task: call mom tomorrow", "add", {"title": "Call mom", "due": "2026-03-06"}),
    # As in Todoist: "every 3rd thursday" is the month's (it had asked), "every last day" the
    # month's last (not understood); hours count from the time said (it had started at 11:00)
    G(
        "NY",
        "book club every 3rd thursday at 7pm",
        "add",
        {"title": "Book club", "due": "2026-03-19 19:00"},
        "FREQ=MONTHLY;BYDAY=3TH",
    ),
    G(
        "NY",
        "payroll every last day",
        "add",
        {"title": "Payroll", "due": "2026-03-31"},
        "FREQ=MONTHLY;BYMONTHDAY=-1",
    ),
    G(
        "NY",
        "pills every 8 hours starting 8am",
        "add",
        {"title": "Pills", "due": "2026-03-05 16:00"},
        "FREQ=HOURLY;INTERVAL=8",
        ["2026-03-05T16:00-05:00", "2026-03-06T00:00-05:00"],
    ),
    G(
        "NY",
        "water every 3 hours from 9am",
        "add",
        {"title": "Water", "due": "2026-03-05 12:00"},
        "FREQ=HOURLY;INTERVAL=3",
    ),
    # "make X every …": X's repeat if a task has just that title, else a task to add (it had
    # always been added: "Make the gym"); "change/set X to every …" is always X's
    G(
        "NY",
        "make the gym every monday and thursday",
        "update",
        {"ref": "gym", "exact": True, "otherwise": "add"},
        "FREQ=WEEKLY;BYDAY=MO,TH",
    ),
    G(
        "NY",
        "change air filter every 90 days",
        "update",
        {"ref": "air filter", "exact": True, "otherwise": "add"},
        "FREQ=DAILY;INTERVAL=90",
    ),
    G(
        "NY",
        "change the gym to every friday at 6pm",
        "update",
        {"ref": "gym", "due": "2026-03-06 18:00"},
        "FREQ=WEEKLY;BYDAY=FR",
    ),
    # Times and days said in words (they had stayed in the title, the task undated)
    G(
        "NY",
        "pick up kids at half past three",
        "add",
        {"title": "Pick up kids", "due": "2026-03-05 15:30"},
    ),
    G(
        "NY",
        "meeting at quarter to ten tomorrow",
        "add",
        {"title": "Meeting", "due": "2026-03-06 09:45"},
    ),
    G("NY", "lunch at quarter past noon", "add", {"title": "Lunch", "due": "2026-03-05 12:15"}),
    G("NY", "train at a quarter to midnight", "add", {"title": "Train", "due": "2026-03-05 23:45"}),
    G("NY", "call at three o'clock", "add", {"title": "Call", "due": "2026-03-05 15:00"}),
    G(
        "NY",
        "call the plumber first thing tomorrow",
        "add",
        {"title": "Call the plumber", "due": "2026-03-06 09:00"},
    ),
    G("NY", "email boss first thing", "add", {"title": "Email boss", "due": "2026-03-06 09:00"}),
    G("NY", "pay rent on the first", "add", {"title": "Pay rent", "due": "2026-04-01"}),
    G(
        "NY",
        "pay rent on the twenty-first at 9am",
        "add",
        {"title": "Pay rent", "due": "2026-03-21 09:00"},
    ),
    G("NY", "fix the leak on the first floor", "add", {"title": "Fix the leak on the first floor"}),
    G("NY", "invite five to ten people", "add", {"title": "Invite five to ten people"}),
    G(
        "NY",
        "clean garage sometime next week",
        "add",
        {"title": "Clean garage", "due": "2026-03-09"},
    ),
    G(
        "NY",
        "sometime next week clean garage",
        "add",
        {"title": "Clean garage", "due": "2026-03-09"},
    ),
    # A correction right after: a new due, a priority or the title meant, for the task in
    # focus ("actually 4" had asked what to do with item 4; "wait, thursday" added "Wait")
    G("NY", "actually 4", "reschedule", {"due": "2026-03-05 16:00", "ref": "it", "keep": "date"}),
    G("NY", "no, 4:30pm", "reschedule", {"due": "2026-03-05 16:30", "ref": "it", "keep": "date"}),
    G("NY", "wait, thursday", "reschedule", {"due": "2026-03-05", "ref": "it", "keep": "time"}),
    G("NY", "and high priority", "update", {"ref": "it", "priority": "high"}),
    G(
        "NY",
        "oops, I meant oat milk",
        "rename",
        {"title": "oat milk", "ref": "it", "keep": "words"},
    ),
    G("NY", "no, delete it", "delete", {"ref": "it"}),
    G(
        "NY",
        "make it 2 hours earlier",
        "reschedule",
        {"ref": "it", "shift": "relativedelta(hours=-2)"},
    ),
    G(
        "NY",
        "wait for the plumber tomorrow",
        "add",
        {"title": "Wait for the plumber", "due": "2026-03-06"},
    ),
    G("NY", "no thanks", "no", {}),
    # "from now on": the series too; "change X to <a time>" reschedules (it had renamed X "5")
    G(
        "NY",
        "change yoga to 7pm from now on",
        "reschedule",
        {"due": "2026-03-05 19:00", "ref": "yoga", "keep": "date", "series": True},
    ),
    G(
        "NY",
        "make it 8am going forward",
        "reschedule",
        {"due": "2026-03-06 08:00", "ref": "it", "keep": "date", "series": True},
    ),
    G(
        "NY",
        "change dentist to 5",
        "reschedule",
        {"due": "2026-03-05 17:00", "ref": "dentist", "keep": "date"},
    ),
    G(
        "NY",
        "change yoga to 7pm on the dot",
        "clarify",
        {
            "question": 'I read a date or time in "7pm on the dot" but not all of it. To '
            'rename, say "rename yoga to 7pm on the dot"; to move it, e.g. "move yoga to 7pm".'
        },
    ),
    G("NY", "change dentist to doctor", "rename", {"title": "Doctor", "ref": "dentist"}),
    # The task in focus, said without it (each had been offered as a task to add)
    G("NY", "set it for tuesday at noon", "reschedule", {"due": "2026-03-10 12:00", "ref": "it"}),
    G("NY", "clear the date", "reschedule", {"ref": "it", "clear_due": True}),
    G("NY", "no due date", "reschedule", {"ref": "it", "clear_due": True}),
    G("NY", "what time is it", "now_is", {}),
    G("NY", "what's the date today", "now_is", {}),
    G(
        "NY", "when's the next yoga", "list", {"list": {"search": "yoga"}}
    ),  # had searched "next yoga"
    G("NY", "delete all yoga", "delete", {"ref": "yoga", "offer": "add delete all yoga"}),
    G(
        "NY",
        "cancel all the gym sessions",
        "delete",
        {"ref": "gym", "offer": "add cancel all the gym sessions"},
    ),
    G(  # it had looked for a task called "same time"
        "NY",
        "reschedule to next friday same time",
        "reschedule",
        {"due": "2026-03-13", "ref": "it", "keep": "time"},
    ),
    # "skip next tuesday": the open occurrence, if it falls that day (had looked for a task
    # called "next tuesday")
    G("NY", "skip next tuesday", "skip", {"due": "2026-03-10", "ref": "it"}),
    G("NY", "skip yoga on thursday", "skip", {"due": "2026-03-05", "ref": "yoga"}),
    G("NY", "skip gym this week", "skip", {"ref": "gym"}),
    # Ways to say "add" (before: "Remember to pick up …", "Don't let me forget the meeting",
    # "'renew passport'", "Set an alarm for", "1. call mom", "Todo call mom" offered)
    G(
        "NY",
        "I need to remember to pick up the dry cleaning",
        "add",
        {"title": "Pick up the dry cleaning"},
    ),
    G(
        "NY",
        "Don't let me forget the meeting at 3",
        "add",
        {"title": "The meeting", "due": "2026-03-05 15:00"},
    ),
    G(
        "NY",
        "Put 'renew passport' on my list for next month",
        "add",
        {"title": "Renew passport", "due": "2026-04-01"},
    ),
    G("NY", "todo call mom", "add", {"title": "Call mom"}),
    G("NY", "show my todo list", "list", {"list": {"view": "open"}}),
    G("NY", "1. call mom tomorrow", "add", {"title": "Call mom", "due": "2026-03-06"}),
    G(
        "NY",
        "set alarm for 6:30 tomorrow",
        "add",
        {"title": "Alarm", "due": "2026-03-06 06:30", "reminders": ["-0m"]},
    ),
    G(
        "NY",
        "wake me up at 7",
        "add",
        {"title": "Wake up", "due": "2026-03-06 07:00", "reminders": ["-0m"]},
    ),
    G(
        "NY",
        "set an alarm for 7pm",
        "add",
        {"title": "Alarm", "due": "2026-03-05 19:00", "reminders": ["-0m"]},
    ),
    # Hours of a day on some days of the week (had been asked "two different repeats")
    G(
        "NY",
        "remind me to stretch every hour between 9 and 5 on weekdays",
        "add",
        {"title": "Stretch", "due": "2026-03-05 10:00", "reminders": ["-0m"]},
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,10,11,12,13,14,15,16,17;BYMINUTE=0",
        ["2026-03-05T10:00-05:00", "2026-03-05T11:00-05:00"],
    ),
    G(
        "NY",
        "stand up every hour on weekdays",
        "add",
        {"title": "Stand up", "due": "2026-03-05 11:00"},
        "FREQ=HOURLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    # Spans of days (each had been a search for its words, or not understood)
    G(
        "NY",
        "show me what's due in the next 3 days",
        "list",
        {"list": {"view": "range", "day": "2026-03-05", "until": "2026-03-08"}},
    ),
    G(
        "NY",
        "what do I have between monday and wednesday",
        "list",
        {"list": {"view": "range", "day": "2026-03-09", "until": "2026-03-11"}},
    ),
    G(
        "NY",
        "list tasks due today or tomorrow",
        "list",
        {"list": {"view": "range", "day": "2026-03-05", "until": "2026-03-06"}},
    ),
    G(
        "NY",
        "list everything due before saturday",
        "list",
        {"list": {"view": "range", "until": "2026-03-06"}},
    ),
    G("NY", "what's due after tomorrow", "list", {"list": {"view": "range", "day": "2026-03-07"}}),
    G(
        "NY",
        "what did I do this week",
        "list",
        {"list": {"view": "completed", "day": "2026-03-02", "until": "2026-03-05"}},
    ),
    G("NY", "am I free on friday?", "list", {"list": {"view": "tomorrow"}}),
    G("NY", "how are you", "how_are_you", {}),
    # Several of the last list at once (each had been a task title to look for)
    G("NY", "complete the first two", "complete", {"ref": (1, 2)}),
    G("NY", "delete both", "delete", {"ref": "listed"}),
    G(
        "NY",
        "move all of them to friday",
        "reschedule",
        {"due": "2026-03-06", "ref": "listed", "keep": "time"},
    ),
    G("NY", "what's 2", "show", {"ref": (2,)}),
    # Reminders said around a new task (before: titled "2 hours before my flight"; "When
    # should I remind you to later to call mom?"; a search for a task "package")
    G(
        "NY",
        "remind me 2 hours before my flight at 7pm tomorrow",
        "add",
        {"title": "My flight", "due": "2026-03-06 19:00", "reminders": ["-120m"]},
    ),
    G(
        "NY",
        "remind me later to call mom",
        "clarify",
        {"question": "When should I remind you to call mom?"},
    ),
    G(
        "NY",
        "remind me tomorrow at 9 about the report",
        "remind",
        {"ref": "report", "otherwise": "add", "reminders": ["@2026-03-06 09:00"]},
    ),
    # Tags, notes and priority said plainly (each had been offered as a task, or not understood)
    G("NY", "untag it", "update", {"ref": "it", "clear_tags": True}),
    G("NY", "remove all tags from 2", "update", {"ref": (2,), "clear_tags": True}),
    G("NY", "delete the note", "note", {"ref": "it", "clear_note": True}),
    G("NY", "what are the notes on the report", "show", {"ref": "report"}),
    G(
        "NY",
        "lower the priority of prepare slides",
        "update",
        {"ref": "prepare slides", "priority": "low"},
    ),
    G("NY", "make it normal priority", "update", {"ref": "it", "priority": "none"}),
    G("NY", "what's important today", "list", {"list": {"view": "today", "priority": "high"}}),
    # "after 3" is a time, as "by 5" is (it had stayed in the title, the task undated)
    G(
        "NY",
        "pick up prescription at cvs after 3",
        "add",
        {"title": "Pick up prescription at cvs", "due": "2026-03-05 15:00"},
    ),
    G(
        "NY",
        "call back after 2pm tomorrow",
        "add",
        {"title": "Call back", "due": "2026-03-06 14:00"},
    ),
    G("NY", "read after 3 chapters", "unknown", {"title": "Read after 3 chapters"}),
    # A question with "due" in it lists (it had rescheduled a task called "what's")
    G("NY", "what's due next saturday?", "list", {"list": {"view": "day", "day": "2026-03-14"}}),
    G(
        "NY",
        "the report is due friday",
        "reschedule",
        {"due": "2026-03-06", "ref": "report", "keep": "time"},
    ),
    # Command words as fast thumbs type them (each had been offered as a task, or not understood)
    G("NY", "delte 2", "delete", {"ref": (2,)}),
    G("NY", "complet 1", "complete", {"ref": (1,)}),
    G("NY", "shwo today", "list", {"list": {"view": "today"}}),
    G(
        "NY",
        "remnd me tomorrow at 5 to call mom",
        "add",
        {"title": "Call mom", "due": "2026-03-06 17:00", "reminders": ["-0m"]},
    ),
    G("NY", "wats due tomorrow", "list", {"list": {"view": "tomorrow"}}),
    # "in March": its 1st; in that month itself, today
    G("NY", "book flights in March", "add", {"title": "Book flights", "due": "2026-03-05"}),
    G("NY", "book flights in june", "add", {"title": "Book flights", "due": "2026-06-01"}),
    G("NY", "plan the trip in may 2027", "add", {"title": "Plan the trip", "due": "2027-05-01"}),
    G("NY", "put the files in mar folder", "add", {"title": "Files in mar folder"}),
    # The end of a day: today's, or that of the day said with it; "close of business" is 17:00
    G("NY", "submit report by end of day", "add", {"title": "Submit report", "due": "2026-03-05"}),
    G("NY", "finish slides eod tomorrow", "add", {"title": "Finish slides", "due": "2026-03-06"}),
    G(
        "NY",
        "send invoice by COB monday",
        "add",
        {"title": "Send invoice", "due": "2026-03-09 17:00"},
    ),
    G(
        "NY",
        "reply to Sam by end of business",
        "add",
        {"title": "Reply to Sam", "due": "2026-03-05 17:00"},
    ),
    # Questions about one task's time show it; "snooze the reminder" is "snooze"
    G("NY", "what time is the dentist", "list", {"list": {"search": "dentist"}}),
    G("NY", "is the dentist tomorrow?", "list", {"list": {"search": "dentist"}}),
    G("NY", "is it due at 5?", "show", {"ref": "it"}),
    G("NY", "is there anything due today", "list", {"list": {"view": "today"}}),
    G("NY", "snooze the reminder for an hour", "snooze", {"minutes": 60}),
    G("NY", "snooze my reminder for the dentist", "snooze", {"ref": "dentist"}),
    # "remind me" after the when
    G(
        "NY",
        "in 2 hours remind me to check the laundry",
        "add",
        {"title": "Check the laundry", "due": "2026-03-05 12:00", "reminders": ["-0m"]},
    ),
    G(
        "NY",
        "every monday at 7pm, remind me to take out the trash",
        "add",
        {"title": "Take out the trash", "due": "2026-03-09 19:00", "reminders": ["-0m"]},
        rrule="FREQ=WEEKLY;BYDAY=MO",
    ),
    G(
        "NY",
        "every monday remind me to take out the trash",
        "clarify",
        {"question": "At what time on Mon, Mar 9 should I remind you?"},
    ),
    # Not to be done after all: deleted
    G("NY", "I don't need to call dad anymore", "delete", {"ref": "call dad"}),
    G("NY", "I don't have to go to the gym today", "skip", {"ref": "go to the gym"}),
    G("NY", "the dentist appointment got cancelled", "delete", {"ref": "dentist appointment"}),
    G("NY", "no need to renew the passport after all", "delete", {"ref": "renew the passport"}),
    G(
        "NY",
        "no, every day at 9pm instead",
        "update",
        {"due": "2026-03-05 21:00", "ref": "it"},
        rrule="FREQ=DAILY",
    ),
    G("NY", "set a reminder for 3pm", "remind", {"ref": "it", "reminders": ["@15:00"]}),
    G("NY", "when is the report due?", "list", {"list": {"search": "report"}}),
    G("NY", "when is it due", "show", {"ref": "it"}),
    G(
        "NY",
        "reschedule dentist to wednesday same time",
        "reschedule",
        {"due": "2026-03-11", "ref": "dentist", "keep": "time"},
    ),
    G("NY", "skip the next one", "skip", {"ref": "it"}),
    G("NY", "skip gym this week", "skip", {"ref": "gym"}),
    G("NY", "skip gym today", "skip", {"ref": "gym"}),
    G("NY", "skip today", "skip", {"ref": "it"}),
    G("NY", "when is the next one?", "show", {"ref": "it"}),
    G("NY", "skip it tonight", "skip", {"ref": "it"}),
    G("NY", "skip the gym next week", "skip", {"ref": "gym"}),
    G("NY", "skip 2", "skip", {"ref": (2,)}),
    # ---- days excepted from a repeat
    G(
        "NY",
        "add standup every weekday at 9:15 except fridays",
        "add",
        {"title": "Standup", "due": "2026-03-09 09:15"},
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH",
    ),
    G(
        "NY",
        "add x every day but not on weekends",
        "add",
        {"title": "X", "due": "2026-03-05"},
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    G(
        "NY",
        "add y every 2 days except sunday",
        "clarify",
        {
            "question": '"except sunday" works with a repeat on days of the week, e.g. "every '
            'day except Sundays".'
        },
    ),
    # ---- reminders days ahead at a time; "by 5"; a number is no tag
    G(
        "NY",
        "add renew car insurance on jan 15 2027, remind me a week before at 9am",
        "add",
        {
            "title": "Renew car insurance",
            "due": "2027-01-15",
            "reminders": ["@2027-01-08 09:00"],
        },
    ),
    G("NY", "add finish report by 5", "add", {"title": "Finish report", "due": "2026-03-05 17:00"}),
    G(
        "NY",
        "add finish report by 5 tomorrow",
        "add",
        {"title": "Finish report", "due": "2026-03-06 17:00"},
    ),
    G("NY", "add read by 3 chapters", "add", {"title": "Read by 3 chapters"}),
    G(
        "NY",
        "add review PR #123 tomorrow #work",
        "add",
        {"title": "Review PR #123", "due": "2026-03-06", "tags": ["work"]},
    ),
    G("NY", "undo", "undo", {}),
    G("NY", "oops, undo that", "undo", {}),
    G("NY", "undo 2", "reopen", {"ref": (2,)}),
    # ---- notes, what was done on a day, questions
    G(
        "NY",
        "add a note to 2: bring the insurance card",
        "note",
        {"ref": (2,), "note": "bring the insurance card"},
    ),
    G(
        "NY",
        "note for dentist: ask about X-rays",
        "note",
        {"ref": "dentist", "note": "ask about X-rays"},
    ),
    G(
        "NY",
        "what did I finish today",
        "list",
        {"list": {"view": "completed", "day": "2026-03-05"}},
    ),
    G(
        "NY",
        "what did i get done yesterday",
        "list",
        {"list": {"view": "completed", "day": "2026-03-04"}},
    ),
    G(
        "NY",
        "what did i finish on friday",
        "list",
        {"list": {"view": "completed", "day": "2026-02-27"}},
    ),
    G(
        "NY",
        "what did i finish on the 30th",
        "list",
        {"list": {"view": "completed", "day": "2026-01-30"}},
    ),
    G(
        "NY",
        "what did i do today",
        "list",
        {"list": {"view": "completed", "day": "2026-03-05"}},
    ),
    G("NY", "what reminders do I have", "list", {"list": {"reminded": True}}),
    G("NY", "any reminders today", "list", {"list": {"view": "today", "reminded": True}}),
    G("NY", "add a note: bring the card", "note", {"ref": "it", "note": "bring the card"}),
    G("NY", "set a reminder for 10 minutes before", "remind", {"ref": "it", "reminders": ["-10m"]}),
    G(
        "NY",
        "remind me again in 30 minutes",
        "remind",
        {"ref": "it", "reminders": ["@2026-03-05 10:30"]},
    ),
    G("NY", "remove the reminder", "unremind", {"ref": "it"}),
    G(
        "NY",
        "change the reminder for vitamins to 7:30",
        "remind",
        {"ref": "vitamins", "reminders": ["@07:30"]},
    ),
    G("NY", "show it", "show", {"ref": "it"}),
    G(
        "NY",
        "clear my list",
        "clarify",
        {"question": CLEAR_ALL},
    ),
    G("NY", "delete all completed tasks", "clarify", {"question": CLEAR_ALL}),
    G("NY", "clear completed", "clarify", {"question": CLEAR_ALL}),
    G("NY", "done", "complete", {"ref": "it"}),
    G("NY", "that's done", "complete", {"ref": "it"}),
    G("NY", "completed", "list", {"list": {"view": "completed"}}),  # what was done, not "done"
    G("NY", "I'm done", "bye", {}),  # with the chat, maybe: never a completion
    G("NY", "I'm done for today", "bye", {}),
    G("NY", "snooze 15", "snooze", {"minutes": 15}),
    G("NY", "snooze 2", "snooze", {"ref": (2,)}),
    G("NY", "good night", "bye", {}),
    G(
        "NY",
        "set a reminder to call mom at 5pm",
        "add",
        {"title": "Call mom", "due": "2026-03-05 17:00", "reminders": ["-0m"]},
    ),
    G(
        "NY",
        "set a reminder to the dentist at 9am",
        "remind",
        {"ref": "dentist", "reminders": ["@09:00"]},
    ),
    G("NY", "how many tasks do I have", "list", {"list": {"count": True}}),
    G("NY", "what did we say on friday", "unknown", {}),
    G("NY", "show high priority tasks", "list", {"list": {"priority": "high"}}),
    G("NY", "what is urgent", "list", {"list": {"priority": "high"}}),
    G("NY", "show low priority today", "list", {"list": {"view": "today", "priority": "low"}}),
    # ---- a span of time is due at its start; parts of the day in a repeat
    G(
        "NY",
        "add birthday party saturday 2-5pm",
        "add",
        {"title": "Birthday party", "due": "2026-03-07 14:00"},
    ),
    G("NY", "add lunch 11-1pm friday", "add", {"title": "Lunch", "due": "2026-03-06 11:00"}),
    G(
        "NY",
        "add meeting from 10:30am to 12pm tomorrow",
        "add",
        {"title": "Meeting", "due": "2026-03-06 10:30"},
    ),
    G("NY", "add call 3-4", "add", {"title": "Call 3-4"}),
    G(
        "NY",
        "add walk the dog every morning and evening",
        "add",
        {"title": "Walk the dog", "due": "2026-03-05 19:00"},
        rrule="FREQ=DAILY;BYHOUR=9,19;BYMINUTE=0",
    ),
    # ---- tags, repeats and shifts for the task in focus
    G("NY", "tag it family", "update", {"ref": "it", "tags": ["family"]}),
    G("NY", "tag 2 work and home", "update", {"ref": (2,), "tags": ["work", "home"]}),
    G("NY", "remove the family tag from it", "update", {"ref": "it", "remove_tags": ["family"]}),
    G("NY", "untag 2 work", "update", {"ref": (2,), "remove_tags": ["work"]}),
    G("NY", "make it every sunday", "update", {"ref": "it"}, rrule="FREQ=WEEKLY;BYDAY=SU"),
    G("NY", "when's rent due", "list", {"list": {"search": "rent"}}),
    G("NY", "postpone it a day", "reschedule", {"ref": "it", "shift": "relativedelta(days=+1)"}),
    G(
        "NY",
        "postpone it another day",
        "reschedule",
        {"ref": "it", "shift": "relativedelta(days=+1)"},
    ),
    G("NY", "move it in 2 days", "reschedule", {"due": "2026-03-07", "ref": "it", "keep": "time"}),
    G("NY", "remind me the morning of", "remind", {"ref": "it", "reminders": ["@09:00"]}),
    G(
        "NY",
        "add exam tuesday at 9am, remind me the evening of",
        "clarify",
        {
            "question": "19:00 is after the due time (09:00). Did you mean the day before? Say "
            'e.g. "remind me the day before at 19:00".'
        },
    ),
    # ---- replies and requests to the app are no tasks
    G("NY", "sounds good", "yes", {}),
    G("NY", "thank you so much", "thanks", {}),
    G("NY", "turn off notifications", "unknown", {}),
    # ... but with a date, such a first word starts something to do
    G(
        "NY",
        "go to the gym tomorrow at 6pm",
        "add",
        {"title": "Go to the gym", "due": "2026-03-06 18:00"},
    ),
    G(
        "NY",
        "stop by the bank on friday",
        "add",
        {"title": "Stop by the bank", "due": "2026-03-06"},
    ),
    G("NY", "taxes", "unknown", {}),
    G("NY", "overdue stuff", "list", {"list": {"view": "overdue"}}),
    # "next" is from now on (later today too; it had been after today), "coming up" after today
    G("NY", "next", "list", {"list": {"view": "next"}}),
    G("NY", "what's my next task", "list", {"list": {"view": "next"}}),
    G("NY", "what's coming up this week", "list", {"list": {"view": "week"}}),
    G("NY", "what's due this month", "list", {"list": {"view": "month"}}),
    G("NY", "show tasks without a date", "list", {"list": {"view": "undated"}}),
    G("NY", "what's undated", "list", {"list": {"view": "undated"}}),
    G("NY", "pick up dry cleaning", "add", {"title": "Pick up dry cleaning"}),
    G("NY", "what about tomorrow", "list", {"list": {"view": "tomorrow"}}),
    G("NY", "remind me 5 min before each one", "remind", {"ref": "it", "reminders": ["-5m"]}),
    # ---- a reminder or an hour for the task in focus
    G("NY", "remind me 10 minutes before", "remind", {"ref": "it", "reminders": ["-10m"]}),
    G("NY", "what are my recurring tasks?", "list", {"list": {"repeating": True}}),
    G(
        "NY",
        "show repeating tasks due today",
        "list",
        {"list": {"view": "today", "repeating": True}},
    ),
    # ---- every task of a view
    G(
        "NY",
        "move all of today's tasks to tomorrow",
        "reschedule",
        {"due": "2026-03-06", "ref": "view:today", "keep": "time"},
    ),
    G("NY", "complete today's tasks", "complete", {"ref": "view:today"}),
    G(  # it had looked for a task called "everything from today"
        "NY",
        "move everything from today to tomorrow",
        "reschedule",
        {"due": "2026-03-06", "ref": "view:today", "keep": "time"},
    ),
    G("NY", "finish everything overdue", "complete", {"ref": "view:overdue"}),
    G(
        "NY",
        "postpone the overdue ones by a day",
        "reschedule",
        {"ref": "view:overdue", "shift": "relativedelta(days=+1)"},
    ),
    G("NY", "move 1 to 9", "reschedule", {"due": "2026-03-06 09:00", "ref": (1,), "keep": "date"}),
    G(
        "NY",
        "push standup to 8 o'clock",
        "reschedule",
        {"due": "2026-03-06 08:00", "ref": "standup", "keep": "date"},
    ),
    # ---- questions instead of actions
    G(
        "NY",
        "add meeting 3/4 at 9",
        "clarify",
        {"question": '"3/4" could be March 4 or 3 April. Which one?'},
    ),
    G(
        "NY",
        "add standup biweekly",
        "clarify",
        {
            "question": (
                '"biweekly" can mean twice a week or every two weeks. Which one? Say e.g. "every '
                '2 weeks" or "twice a week on ...".'
            )
        },
    ),
    G(
        "NY",
        "add 1:1 every second monday",
        "clarify",
        {
            "question": (
                '"every second monday": every other Monday, or the second Monday of each month? '
                'Say "every other Monday" or "the second Monday of every month".'
            )
        },
    ),
    G(
        "NY",
        "add take pills twice a day",
        "clarify",
        {"question": 'At what times "twice a day"? Say e.g. "at 9am and 9pm".'},
    ),
    G(
        "NY",
        "add gym twice a week",
        "clarify",
        {"question": 'On which days "twice a week"? Say e.g. "every Monday and Thursday".'},
    ),
    G(
        "NY",
        "add read every blue moon",
        "clarify",
        {
            "question": (
                'I didn\'t understand how often "every blue moon" is. Try "every 2 weeks" or '
                '"every Monday and Thursday".'
            )
        },
    ),
    G("NY", "add tomorrow at 5pm", "clarify", {"question": "What should the task be called?"}),
    G(
        "NY",
        "remind me to call mom",
        "clarify",
        {"question": "When should I remind you to call mom?"},
    ),
    G(
        "NY",
        "remind me to call mom tomorrow",
        "clarify",
        {"question": "At what time on Fri, Mar 6 should I remind you?"},
    ),
    G(
        "NY",
        "add yoga today at 8am",
        "clarify",
        {"question": "Thu, Mar 5 at 08:00 has already passed. When is it due?"},
    ),
    G(
        "NY",
        "add read book in a few days",
        "clarify",
        {"question": 'How long exactly is "in a few days"? Say e.g. "in 3 days".'},
    ),
    G(
        "NY",
        "add report every weekday remind me 30 minutes before",
        "clarify",
        {
            "question": (
                'At what time on Thu, Mar 5 is "Report" due? A reminder before it needs a time, '
                'or say e.g. "at 9am".'
            )
        },
    ),
    G("NY", "add call at 25", "clarify", {"question": '"25" is not a time I can read.'}),
    G(
        "NY",
        "remind me about 2",
        "clarify",
        {"question": 'When should I remind you? Say e.g. "30 minutes before" or "at 8am".'},
    ),
    G(
        "NY",
        "move 1",
        "clarify",
        {"question": 'To when? Say e.g. "move 1 to Friday at 3pm" or "postpone 1 by 2 days".'},
    ),
    G(
        "NY",
        "add take pills every day at 9am and 9:30pm",
        "clarify",
        {"question": "Several times a day must share their minutes (09:00, 21:00)."},
    ),
    G(
        "NY",
        "add lunch tomorrow and monday",
        "clarify",
        {"question": 'I see two dates ("tomorrow" and "monday"). Which one should it be due?'},
    ),
    G(
        "BER",
        "add night backup every day at 2:30am starting March 29",
        "add",
        {"title": "Night backup", "due": "2026-03-30 02:30"},
        "FREQ=DAILY",
        ["2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00"],
    ),
    G(
        "BER",
        "add call mum every sunday at 10am starting March 29",
        "add",
        {"title": "Call mum", "due": "2026-03-29 10:00"},
        "FREQ=WEEKLY;BYDAY=SU",
        ["2026-03-29T10:00+02:00", "2026-04-05T10:00+02:00"],
    ),
    G(
        "NY",
        "add ship order tomorrow at 2:30am",
        "add",
        {"title": "Ship order", "due": "2026-03-06 02:30"},
    ),
    G(
        "SYD",
        "add tea every day at 5pm starting april 5",
        "add",
        {"title": "Tea", "due": "2026-04-05 17:00"},
        "FREQ=DAILY",
        ["2026-04-05T17:00+10:00", "2026-04-06T17:00+10:00"],
    ),
]


def _when(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value.isoformat()


def _reminder(spec: phrases.ReminderSpec) -> str:
    if spec.offset_minutes is not None:
        return f"-{spec.offset_minutes}m"
    if spec.at is not None:
        return f"@{_when(spec.at)}"
    return f"@{spec.at_time:%H:%M}"


def summarize(intent: Intent) -> dict[str, Any]:
    """The fields an intent carries, in a form the table can spell out."""
    out: dict[str, Any] = {}
    if intent.title:
        out["title"] = intent.title
    if intent.due is not None:
        out["due"] = _when(intent.due)
    if intent.ref:
        ref = intent.ref
        out["ref"] = ref.numbers or (
            "it"
            if ref.focus
            else f"view:{ref.view}"
            if ref.view
            else "listed"
            if ref.listed
            else ref.title
        )
        if ref.alternatives:
            out["or"] = list(ref.alternatives)
        if ref.exact:
            out["exact"] = True
    if intent.otherwise is not None:
        out["otherwise"] = intent.otherwise.kind
    if intent.suggestion and intent.kind != "unknown":
        out["offer"] = intent.suggestion
    if intent.reminders is not None:
        out["reminders"] = [_reminder(r) for r in intent.reminders]
    if intent.tags:
        out["tags"] = list(intent.tags)
    if intent.priority:
        out["priority"] = intent.priority
    if intent.query:
        query = {k: v for k, v in intent.query.__dict__.items() if v and v != "open"}
        out["list"] = {k: _when(v) if isinstance(v, date) else v for k, v in query.items()} or {
            "view": "open"
        }
    if intent.minutes:
        out["minutes"] = intent.minutes
    if intent.shift:
        out["shift"] = str(intent.shift)
    if intent.keep:
        out["keep"] = intent.keep
    if intent.series:
        out["series"] = True
    if intent.clear_due:
        out["clear_due"] = True
    if intent.remove_tags:
        out["remove_tags"] = list(intent.remove_tags)
    if intent.question:
        out["question"] = intent.question
    if intent.note:
        out["note"] = intent.note
    if intent.clear_note:
        out["clear_note"] = True
    if intent.clear_tags:
        out["clear_tags"] = True
    if intent.rule and intent.rule.after_completion:
        out["anchor"] = "completion"
    return out


def test_two_dates_are_asked_about_with_the_answers_that_settle_it():
    zone = ZoneInfo(ZONES["NY"])

    pair = parsing.parse("yoga tue and thu at 7", now=NOW, zone=zone)
    either = parsing.parse("dentist tomorrow or on Monday at 3pm", now=NOW, zone=zone)
    span = parsing.parse("standup monday to friday at 9", now=NOW, zone=zone)

    assert pair.question == (
        'I see two dates ("tue" and "thu"). Which one should it be due? Or say "both" for '
        "every Tuesday and Thursday."
    )
    assert dict(pair.answers) == {
        "tue": "yoga tue at 7",
        "thu": "yoga thu at 7",
        "first": "yoga tue at 7",
        "second": "yoga thu at 7",
        "both": "yoga every tue and thu at 7",
    }
    assert dict(either.answers) == {
        "tomorrow": "dentist tomorrow at 3pm",
        "on monday": "dentist on Monday at 3pm",
        "first": "dentist tomorrow at 3pm",
        "second": "dentist on Monday at 3pm",
    }
    assert "both" not in dict(span.answers)  # a span, maybe one task's: no weekly "both"


def test_a_date_that_reads_two_ways_is_asked_about_with_each_reading_as_an_answer():
    intent = parsing.parse("add meeting 3/4 at 9", now=NOW, zone=ZoneInfo(ZONES["NY"]))

    assert dict(intent.answers) == {
        "March 4": "add meeting March 4 at 9",
        "3 April": "add meeting 3 April at 9",
        "first": "add meeting March 4 at 9",
        "second": "add meeting 3 April at 9",
    }


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: f"{g.zone} {g.text}")
def test_golden_phrase(golden):
    zone = ZoneInfo(ZONES[golden.zone])

    intent = parsing.parse(golden.text, now=NOW, zone=zone)

    assert intent.kind == golden.kind
    assert summarize(intent) == golden.fields
    assert (intent.rule.to_rrule() if intent.rule else None) == golden.rrule
    if golden.rrule is not None:
        assert recurrence.normalize_rule(golden.rrule) == golden.rrule
    if golden.first_two is not None:
        shown = repeats.occurrences(intent.rule, intent.due, zone)
        assert [o.isoformat(timespec="minutes") for o in shown] == golden.first_two


RECURRENCE_CLASSES = {
    "every day": "FREQ=DAILY",
    "every weekday": "BYDAY=MO,TU,WE,TH,FR",
    "every weekend": "BYDAY=SA,SU",
    "every N days": "FREQ=DAILY;INTERVAL=10",
    "every N weeks": "FREQ=WEEKLY;INTERVAL=3",
    "every N months": "FREQ=MONTHLY;INTERVAL=3",
    "every N years": "FREQ=YEARLY;INTERVAL=2",
    "every other": "FREQ=DAILY;INTERVAL=2",
    "set of weekdays": "BYDAY=MO,WE",
    "several times a day": "BYHOUR=9,21",
    "nth weekday of the month": "BYDAY=1TH",
    "last weekday of the month": "BYDAY=-1FR",
    "day N of the month": "BYMONTHDAY=15",
    "last day of the month": "BYMONTHDAY=-1",
    "last workday of the month": "BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "until a date": "UNTIL=20260331",
    "for N times": "COUNT=6",
    "yearly on a date": "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3",
    "hourly": "FREQ=HOURLY",
}


def test_the_table_covers_every_recurrence_class_and_intent():
    rules = [g.rrule for g in GOLDEN if g.rrule]
    kinds = {g.kind for g in GOLDEN}
    starts = [g for g in GOLDEN if "starting" in g.text and g.rrule]
    after_completion = [g for g in GOLDEN if g.fields.get("anchor") == "completion"]
    questions = [g for g in GOLDEN if g.kind == "clarify"]

    assert len(GOLDEN) >= 80
    missing = [
        name for name, part in RECURRENCE_CLASSES.items() if not any(part in r for r in rules)
    ]
    assert missing == []
    assert starts
    assert len(after_completion) >= 3
    assert len(questions) >= 15
    assert kinds >= {
        "add", "list", "complete", "reopen", "delete", "rename", "update", "reschedule",
        "remind", "unremind", "snooze", "stop_series", "help", "clarify", "unknown",
    }  # fmt: skip
    views = {g.fields["list"].get("view", "open") for g in GOLDEN if "list" in g.fields}
    assert views >= {
        "open", "today", "tomorrow", "week", "month", "next", "overdue", "completed", "upcoming",
        "undated",
    }  # fmt: skip
    assert any("tag" in g.fields.get("list", {}) for g in GOLDEN)
    assert any("search" in g.fields.get("list", {}) for g in GOLDEN)


@pytest.mark.parametrize(
    "text",
    [
        "ADD CALL MOM TOMORROW AT 5PM",
        "add call mom tomorrow at 5 pm.",
        "  add   call mom, tomorrow @ 5pm  ",
    ],
)
def test_case_spacing_and_punctuation_do_not_matter(text):
    intent = parsing.parse(text, now=NOW, zone=ZoneInfo("America/New_York"))

    assert (intent.kind, intent.due) == ("add", datetime(2026, 3, 6, 17, 0))
    assert intent.title.lower() == "call mom"


def test_a_quoted_title_is_taken_literally():
    intent = parsing.parse('add "Buy 3/4 inch screws" friday', now=NOW, zone=ZoneInfo("UTC"))

    assert (intent.kind, intent.title, intent.due) == (
        "add",
        "Buy 3/4 inch screws",
        date(2026, 3, 6),
    )


def test_the_same_words_mean_local_dates_in_each_zone():
    texts = {
        name: parsing.parse("add x today", now=NOW, zone=ZoneInfo(z)) for name, z in ZONES.items()
    }

    assert {name: i.due for name, i in texts.items()} == {
        "NY": date(2026, 3, 5),
        "BER": date(2026, 3, 5),
        "TYO": date(2026, 3, 6),
        "SYD": date(2026, 3, 6),
        "LA": date(2026, 3, 5),
    }
