# Nhắc việc và thông báo: hộp thư, lựa chọn nhận thư điện tử, hàng đợi thư.
nav-inbox = Thông báo
inbox-title = Thông báo
inbox-unread = { $count } thông báo chưa đọc
inbox-read-all = Đánh dấu tất cả đã đọc
inbox-when = Thời gian
inbox-kind = Loại
inbox-message = Nội dung
inbox-new = mới
inbox-open = Mở
inbox-mark-read = Đánh dấu đã đọc
inbox-empty = Chưa có thông báo nào.

notify-kind-deadline-registration = Hạn đăng ký thi đua
notify-kind-deadline-assessment = Hạn tự chấm điểm
notify-kind-pact-to-sign = Giao ước chờ ký
notify-kind-vote-open = Bỏ phiếu đang mở
notify-kind-proposal-returned = Hồ sơ đề nghị bị trả lại
notify-kind-result-published = Công bố kết quả

notify-msg-deadline-registration = Còn { $days } ngày đến hạn đăng ký danh hiệu thi đua năm { $year } (hạn cuối { $deadline }).
notify-msg-deadline-assessment = Còn { $days } ngày đến hạn nộp bản tự chấm điểm thi đua năm { $year } (hạn cuối { $deadline }).
notify-msg-pact-to-sign = Giao ước thi đua năm { $year } của { $group } đã được thông qua và đang chờ đồng chí ký.
notify-msg-pact-reminded = Trưởng khối/cụm nhắc: giao ước thi đua năm { $year } của { $group } vẫn chờ đồng chí ký.
notify-msg-vote-open = { $group } đang mở bỏ phiếu bầu { $office }; đơn vị đồng chí chưa bỏ phiếu.
notify-msg-proposal-returned = Hồ sơ đề nghị { $title } bị trả lại: { $reason }.
notify-msg-result-published = Kết quả chấm điểm, xếp loại thi đua năm { $year } đã được công bố.

notify-prefs-title = Nhận thông báo qua thư điện tử
notify-prefs-help = Mọi thông báo đều hiện trong mục Thông báo. Chọn những loại đồng chí muốn nhận thêm qua thư điện tử.
notify-prefs-saved = Đã lưu lựa chọn nhận thông báo.
notify-email-address = Địa chỉ thư điện tử
notify-email-per-kind = Gửi thư điện tử khi có
err-email-invalid = Địa chỉ thư điện tử không hợp lệ (ví dụ: vanthu@vks.travinh.gov.vn).
err-notify-unknown-kind = Loại thông báo không tồn tại.

outbox-title = Hàng đợi thư điện tử
outbox-help = Thư chưa gửi được sẽ được tự động gửi lại; sau nhiều lần không thành công, thư chuyển sang trạng thái lỗi và có thể gửi lại tại đây.
outbox-created = Tạo lúc
outbox-to = Người nhận
outbox-status = Trạng thái
outbox-attempts = Số lần thử
outbox-next = Lần gửi tiếp / đã gửi lúc
outbox-last-error = Lỗi gần nhất
outbox-retry = Gửi lại ngay
outbox-empty = Hàng đợi trống.
outbox-status-queued = Đang chờ gửi
outbox-status-sent = Đã gửi
outbox-status-failed = Lỗi
err-outbox-already-sent = Thư này đã được gửi.

mail-subject = [Thi đua] { $title }
mail-footer = Xem chi tiết: { $link }
mail-prefs = Thay đổi lựa chọn nhận thư: { $link }
