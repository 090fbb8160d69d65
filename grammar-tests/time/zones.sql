-- case: at_time_zone_of_an_instant
SELECT created_at AT TIME ZONE 'Europe/Paris' AS paris FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$dateFromString": {
            "dateString": {
              "$dateToString": {"date": "$created_at", "format": "%Y-%m-%dT%H:%M:%S.%L", "timezone": "Europe/Paris"}
            },
            "format": "%Y-%m-%dT%H:%M:%S.%L"
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: paris <- c0

-- case: at_time_zone_of_a_wall_clock_literal_folds
SELECT TIMESTAMP '2026-07-01 12:00:00' AT TIME ZONE 'Europe/Paris' AS t
-- expect:
{
  "aggregate": 1,
  "pipeline": [{"$documents": [{}]}, {"$project": {"_id": 0, "c0": ISODate("2026-07-01T10:00:00Z")}}],
  "cursor": {}
}
rows: t <- c0

-- case: at_time_zone_twice
SELECT (created_at AT TIME ZONE 'America/New_York') AT TIME ZONE 'Asia/Tokyo' AS tokyo FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$dateFromString": {
            "dateString": {
              "$dateToString": {
                "date": {
                  "$dateFromString": {
                    "dateString": {
                      "$dateToString": {"date": "$created_at", "format": "%Y-%m-%dT%H:%M:%S.%L", "timezone": "America/New_York"}
                    },
                    "format": "%Y-%m-%dT%H:%M:%S.%L"
                  }
                },
                "format": "%Y-%m-%dT%H:%M:%S.%L"
              }
            },
            "format": "%Y-%m-%dT%H:%M:%S.%L",
            "timezone": "Asia/Tokyo"
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: tokyo <- c0

-- case: at_time_zone_utc_is_the_same_date
SELECT created_at AT TIME ZONE 'UTC' AS t FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": "$created_at"}}],
  "cursor": {}
}
rows: t <- c0

-- case: at_time_zone_posix_offset
SELECT created_at AT TIME ZONE '+05' AS t FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$dateFromString": {
            "dateString": {
              "$dateToString": {"date": "$created_at", "format": "%Y-%m-%dT%H:%M:%S.%L", "timezone": "-05:00"}
            },
            "format": "%Y-%m-%dT%H:%M:%S.%L"
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: t <- c0

-- case: date_trunc_in_a_zone
SELECT date_trunc('day', created_at, 'Europe/Paris') AS d FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$dateTrunc": {"date": "$created_at", "unit": "day", "timezone": "Europe/Paris"}}
      }
    }
  ],
  "cursor": {}
}
rows: d <- c0

-- case: date_part
SELECT date_part('hour', created_at) AS h FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$hour": "$created_at"}}}],
  "cursor": {}
}
rows: h <- c0

-- case: date_bin
SELECT date_bin(INTERVAL '15 minutes', created_at, TIMESTAMPTZ '2000-01-01') AS slot FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"src": "$created_at"},
            "in": {
              "$let": {
                "vars": {
                  "r": {"$mod": [{"$subtract": ["$$src", ISODate("2000-01-01T00:00:00Z")]}, NumberLong(900000)]}
                },
                "in": {
                  "$subtract": [
                    {"$subtract": ["$$src", "$$r"]},
                    {"$cond": [{"$lt": ["$$r", 0]}, NumberLong(900000), NumberLong(0)]}
                  ]
                }
              }
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: slot <- c0

-- case: to_char_numeric_patterns_one_date_to_string
SELECT to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.MS "UTC"') AS t FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"d": "$created_at"},
            "in": {
              "$cond": [
                {"$eq": [{"$ifNull": ["$$d", null]}, null]},
                null,
                {"$dateToString": {"date": "$$d", "format": "%Y-%m-%d %H:%M:%S.%L UTC"}}
              ]
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: t <- c0

-- case: to_char_names_fill_mode_and_am_pm
SELECT to_char(created_at, 'FMDay, FMDD Mon YYYY HH12:MI AM') AS t FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"d": "$created_at"},
            "in": {
              "$cond": [
                {"$eq": [{"$ifNull": ["$$d", null]}, null]},
                null,
                {
                  "$concat": [
                    {
                      "$arrayElemAt": [
                        ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
                        {"$subtract": [{"$dayOfWeek": "$$d"}, 1]}
                      ]
                    },
                    ", ",
                    {"$toString": {"$dayOfMonth": "$$d"}},
                    " ",
                    {
                      "$arrayElemAt": [
                        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
                        {"$subtract": [{"$month": "$$d"}, 1]}
                      ]
                    },
                    {"$dateToString": {"date": "$$d", "format": " %Y "}},
                    {
                      "$let": {
                        "vars": {
                          "h2": {
                            "$let": {
                              "vars": {"h": {"$mod": [{"$hour": "$$d"}, 12]}},
                              "in": {"$cond": [{"$eq": ["$$h", 0]}, 12, "$$h"]}
                            }
                          }
                        },
                        "in": {
                          "$cond": [
                            {"$lt": ["$$h2", 10]},
                            {"$concat": ["0", {"$toString": "$$h2"}]},
                            {"$toString": "$$h2"}
                          ]
                        }
                      }
                    },
                    {"$dateToString": {"date": "$$d", "format": ":%M "}},
                    {"$cond": [{"$lt": [{"$hour": "$$d"}, 12]}, "AM", "PM"]}
                  ]
                }
              ]
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: t <- c0

-- case: to_char_tz_and_offset
SELECT to_char(created_at, 'HH24:MI TZ OF') AS t FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"d": "$created_at"},
            "in": {
              "$cond": [
                {"$eq": [{"$ifNull": ["$$d", null]}, null]},
                null,
                {"$dateToString": {"date": "$$d", "format": "%H:%M UTC +00"}}
              ]
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: t <- c0

-- case: set_time_zone_utc
SET TIME ZONE 'UTC'
-- expect:
setting: TimeZone = UTC

-- case: set_timezone_local
SET timezone TO LOCAL
-- expect:
setting: TimeZone = UTC

-- case: session_zone_literal_extract_date_trunc_to_char
SET TIME ZONE 'Europe/Paris';
SELECT TIMESTAMPTZ '2026-07-01 12:00:00' AS t, EXTRACT(HOUR FROM created_at) AS h, date_trunc('day', created_at) AS d, to_char(created_at, 'YYYY-MM-DD HH24:MI') AS c, created_at + INTERVAL '1 day 2 hours' AS later FROM user_sessions
-- expect:
setting: TimeZone = Europe/Paris
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": ISODate("2026-07-01T10:00:00Z"),
        "c1": {"$hour": {"date": "$created_at", "timezone": "Europe/Paris"}},
        "c2": {"$dateTrunc": {"date": "$created_at", "unit": "day", "timezone": "Europe/Paris"}},
        "c3": {
          "$let": {
            "vars": {"d": "$created_at"},
            "in": {
              "$cond": [
                {"$eq": [{"$ifNull": ["$$d", null]}, null]},
                null,
                {"$dateToString": {"date": "$$d", "format": "%Y-%m-%d %H:%M", "timezone": "Europe/Paris"}}
              ]
            }
          }
        },
        "c4": {
          "$dateAdd": {
            "startDate": {
              "$dateAdd": {
                "startDate": "$created_at",
                "unit": "day",
                "amount": NumberLong(1),
                "timezone": "Europe/Paris"
              }
            },
            "unit": "hour",
            "amount": NumberLong(2)
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: t <- c0, h <- c1, d <- c2, c <- c3, later <- c4
